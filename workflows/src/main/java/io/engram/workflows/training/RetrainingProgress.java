package io.engram.workflows.training;

/**
 * Where a retraining is, for the CLI's live view.
 *
 * @param phase one of the phase constants
 * @param reason the decision's reason once decided
 * @param trials trials finished (complete, pruned or failed)
 * @param pruned trials pruned
 * @param failed trials whose activity failed for good
 * @param best the best objective value so far (NDCG@10 on the fitting part); null before any
 * @param studyId the search's study; null before it starts
 * @param version the registered candidate's number; null before it is registered
 */
public record RetrainingProgress(
    String phase,
    String reason,
    int trials,
    int pruned,
    int failed,
    Double best,
    Long studyId,
    Integer version) {
  public static final String DECIDING = "deciding";
  public static final String CHECKING = "checking";
  public static final String INDEXING = "indexing";
  public static final String SEARCHING = "searching";
  public static final String REGISTERING = "registering";
  public static final String EVALUATING = "evaluating";
  public static final String GATING = "gating";
  public static final String DONE = "done";
  public static final String FAILED = "failed";
}
