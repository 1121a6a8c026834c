package io.engram.workflows.rollout;

/**
 * What one check of a running rollout found (its full figures are stored with the rollout).
 *
 * @param verdict {@link #WAIT}, {@link #READY}, {@link #FAIL}, {@link #WORSE} or {@link #BETTER}
 * @param reason the verdict in words
 * @param exposure the share of the rollout's queries the candidate answered so far
 * @param wins interleaved comparisons the candidate won
 * @param losses interleaved comparisons the champion won
 * @param logLikelihoodRatio the sequential test's {@code ln Λ}
 * @param threshold {@code ln(1/α)}, which {@code ln Λ} must reach to decide
 * @param trafficBudgetSpent whether the decisive comparisons reached the plan's budget
 * @param failsAtBudgetEnd why the rollout must roll back rather than be kept should it end
 *     undecided at a budget now (the candidate's errors over the whole rollout beyond the plan's
 *     rate, too few to fail a check); null when it may be kept (and in histories from before)
 */
public record RolloutVerdict(
    String verdict,
    String reason,
    double exposure,
    long wins,
    long losses,
    double logLikelihoodRatio,
    double threshold,
    boolean trafficBudgetSpent,
    String failsAtBudgetEnd) {

  /** Nothing wrong, not enough traffic for the phase to end yet. */
  public static final String WAIT = "WAIT";

  /** Nothing wrong and the phase's traffic minimum met: it may end once baked. */
  public static final String READY = "READY";

  /** A guardrail failed (errors, latency, empty results, or the rollout was interfered with). */
  public static final String FAIL = "FAIL";

  /** The sequential test found the candidate worse. */
  public static final String WORSE = "WORSE";

  /** The sequential test found the candidate better. */
  public static final String BETTER = "BETTER";

  /** Whether the rollout must be rolled back. */
  public boolean failed() {
    return FAIL.equals(verdict) || WORSE.equals(verdict);
  }
}
