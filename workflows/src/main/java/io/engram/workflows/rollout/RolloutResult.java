package io.engram.workflows.rollout;

/**
 * How a rollout ended.
 *
 * @param rolloutId its row; null when it was refused before it began
 * @param decision {@link #PROMOTED}, {@link #ROLLED_BACK}, {@link #KEPT} or {@link #REFUSED}
 * @param reason why, in words
 * @param exposure the share of the rollout's queries the candidate answered
 * @param seconds from its start to its decision
 */
public record RolloutResult(
    Long rolloutId, String decision, String reason, double exposure, long seconds) {

  /** The candidate serves: {@code champion} moved to it, the old champion is {@code previous}. */
  public static final String PROMOTED = "promoted";

  /** The candidate failed a guardrail, lost the test or was aborted, and is archived. */
  public static final String ROLLED_BACK = "rolled_back";

  /** No difference within the budget (or no approval, or paused too long): the champion stays. */
  public static final String KEPT = "kept";

  /** The rollout could not begin (no such version, another rollout of the collection runs). */
  public static final String REFUSED = "refused";
}
