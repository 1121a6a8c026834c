package io.engram.workflows.memory;

/**
 * What a maintenance run did; fields that do not apply to its job stay 0.
 *
 * @param citationsFlushed buffered citations folded into facts
 * @param factsDecayed facts whose salience was decayed
 * @param factsExpired episodic facts deleted at the end of their lifetime
 * @param sessionsClosed idle sessions closed
 * @param turnsReleased turns deleted from working memory
 * @param batchesDistilled batches distilled from idle sessions before closing them
 * @param distillationFailures of those, batches recorded as failed
 */
public record MaintenanceResult(
    String job,
    String phase,
    long citationsFlushed,
    long factsDecayed,
    long factsExpired,
    long sessionsClosed,
    long turnsReleased,
    int batchesDistilled,
    int distillationFailures) {}
