package io.engram.workflows.training;

/**
 * An eval set the champion has stored figures for, besides the retraining's own held-out part: the
 * completed evaluation run those figures came from, whose judged queries the candidate and the
 * champion are both evaluated on again before the gates compare them.
 *
 * @param dataset the run's dataset
 * @param split the run's qrels split
 * @param part the run's part of the split
 * @param run the run's id
 */
public record StoredEvalSet(String dataset, String split, String part, long run) {}
