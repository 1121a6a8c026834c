package io.engram.workflows.training;

/**
 * Where a retraining is, for the CLI's live view.
 *
 * @param phase {@code deciding}, {@code checking}, {@code searching}, {@code evaluating}, {@code
 *     gating}, {@code registering}, {@code done}, {@code failed}
 * @param reason the decision's reason once decided
 * @param trials trials finished (complete or pruned)
 * @param pruned trials pruned
 * @param best the best objective value so far (NDCG@10 on the fitting part); null before any
 * @param studyId the search's study; null before it starts
 */
public record RetrainingProgress(
    String phase, String reason, int trials, int pruned, Double best, Long studyId) {}
