package io.engram.core.rollout;

import org.apache.commons.math3.special.Beta;

/**
 * An always-valid sequential test of interleaved comparisons: a mixture sequential probability
 * ratio test (mSPRT; Robbins 1970, Johari et al., "Always Valid Inference", 2017) for the share
 * {@code p} of decisive comparisons the candidate wins, against {@code p = 1/2}.
 *
 * <p>Under the null each decisive comparison is a fair coin. The alternative mixes over {@code p}
 * with a symmetric {@code Beta(a, a)} prior, which gives the likelihood ratio in closed form:
 *
 * <pre>
 *   Λ(w, l) = B(a + w, a + l) / B(a, a) · 2^(w + l)
 * </pre>
 *
 * {@code Λ} is a non-negative martingale under the null with mean 1, so by Ville's inequality the
 * chance that it ever reaches {@code 1/α}, however often and whenever it is looked at, is at most
 * {@code α}. Reaching it decides the direction by the sign of {@code w - l}; a rollout that never
 * reaches it ends at its traffic or time budget with "no difference".
 *
 * @param alpha the bound on deciding either way when the versions are equal
 * @param prior {@code a} of the {@code Beta(a, a)} mixture; larger favours small differences
 */
public record SequentialTest(double alpha, double prior) {

  /**
   * The mixture's {@code a}: with 2 a candidate winning 70 % of its comparisons is found after
   * about 57 of them and one winning 80 % after about 24, at α = 0.05 (see SequentialTestTest).
   */
  public static final double DEFAULT_PRIOR = 2.0;

  public SequentialTest {
    if (!(alpha > 0 && alpha < 1)) {
      throw new IllegalArgumentException("alpha must be in (0, 1), got " + alpha);
    }
    if (!(prior > 0)) {
      throw new IllegalArgumentException("prior must be positive, got " + prior);
    }
  }

  public SequentialTest(double alpha) {
    this(alpha, DEFAULT_PRIOR);
  }

  /** What the test says. */
  public enum Verdict {
    BETTER,
    WORSE,
    UNDECIDED
  }

  /**
   * @param logLikelihoodRatio {@code ln Λ}
   * @param threshold {@code ln(1/α)}: the test decides when {@code ln Λ} reaches it
   */
  public record Result(
      long wins, long losses, double logLikelihoodRatio, double threshold, Verdict verdict) {

    /** The candidate's share of decisive comparisons; 0.5 before any. */
    public double winRate() {
      long n = wins + losses;
      return n == 0 ? 0.5 : (double) wins / n;
    }
  }

  /** The test after {@code wins} and {@code losses} of the candidate in decisive comparisons. */
  public Result test(long wins, long losses) {
    if (wins < 0 || losses < 0) {
      throw new IllegalArgumentException("counts must not be negative");
    }
    double logRatio = logLikelihoodRatio(wins, losses);
    double threshold = Math.log(1 / alpha);
    Verdict verdict =
        logRatio < threshold || wins == losses
            ? Verdict.UNDECIDED
            : wins > losses ? Verdict.BETTER : Verdict.WORSE;
    return new Result(wins, losses, logRatio, threshold, verdict);
  }

  /** {@code ln Λ(w, l)}. */
  public double logLikelihoodRatio(long wins, long losses) {
    return Beta.logBeta(prior + wins, prior + losses)
        - Beta.logBeta(prior, prior)
        + (wins + losses) * Math.log(2);
  }
}
