package io.engram.workflows.rollout;

import io.engram.workflows.ingestion.IndexParams;

/**
 * A rollout as it began: its row, the two versions, and what the workflow's clock needs of the plan
 * and the profile.
 *
 * @param rolloutId the {@code rollouts} row routing and the audit name it by
 * @param champion the version serving when it began
 * @param candidate the version rolled out
 * @param steps the number of canary steps
 * @param autoPromote whether a candidate the test finds better is promoted without an approve
 *     signal
 * @param candidateIndex the index the candidate searches when it is not the champion's (a
 *     retraining rebuilt it): caught up with the collection's documents before the candidate is
 *     promoted. Null when both search one index (and in histories recorded before)
 */
public record RolloutStarted(
    long rolloutId,
    int champion,
    int candidate,
    int steps,
    boolean autoPromote,
    Timings timings,
    IndexParams candidateIndex) {

  /** A rollout whose two versions search the same index. */
  public RolloutStarted(
      long rolloutId,
      int champion,
      int candidate,
      int steps,
      boolean autoPromote,
      Timings timings) {
    this(rolloutId, champion, candidate, steps, autoPromote, timings, null);
  }

  /**
   * The clocks of a rollout, in milliseconds.
   *
   * @param shadowBakeMs the least time in shadow
   * @param stepBakeMs the least time in each canary step
   * @param timeBudgetMs the longest an undecided rollout runs before it keeps the champion
   * @param checkIntervalMs how often the figures are checked
   * @param approvalTimeoutMs how long a winning candidate waits for approval
   * @param maxPauseMs how long a rollout may stay paused
   */
  public record Timings(
      long shadowBakeMs,
      long stepBakeMs,
      long timeBudgetMs,
      long checkIntervalMs,
      long approvalTimeoutMs,
      long maxPauseMs) {}
}
