package io.engram.workflows.ingestion;

/**
 * An index a run's documents must reach besides the one it wrote to (a rollout's candidate, a
 * staged version's, the undo target's), and the id of the child rebuild that brings them there.
 *
 * @param workflowId the child rebuild's workflow id, {@code <ingestion id>/index-<N>/<run id>}: one
 *     per run, since a run's followers may still be going when the next run of the same source ends
 *     (chosen by the activity, so replay sees the same one)
 * @param index the index's parameters
 */
public record FollowingIndex(String workflowId, IndexParams index) {}
