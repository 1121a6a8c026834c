package io.engram.workflows.training;

/**
 * Whether a search starts more trials.
 *
 * @param stop start no more
 * @param reason why: {@code n_trials}, {@code time_budget}, {@code patience}; {@code continue}
 */
public record SearchVerdict(boolean stop, String reason) {}
