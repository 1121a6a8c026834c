package io.engram.workflows.rollout;

/**
 * An operator's signal to a rollout (approve, abort, pause, resume).
 *
 * @param actor who sent it, for the audit
 * @param reason why, when given
 */
public record RolloutSignal(String actor, String reason) {}
