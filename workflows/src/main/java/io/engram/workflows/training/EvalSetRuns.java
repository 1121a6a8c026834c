package io.engram.workflows.training;

/**
 * The candidate's and the champion's evaluation runs of one {@link StoredEvalSet}.
 *
 * @param candidateRun the candidate's run
 * @param championRun the champion's run of the same queries
 */
public record EvalSetRuns(long candidateRun, long championRun) {}
