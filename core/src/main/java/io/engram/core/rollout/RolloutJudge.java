package io.engram.core.rollout;

import io.engram.core.rollout.RolloutObservations.ArmStats;
import java.util.Locale;
import java.util.Map;

/**
 * Judges a rollout's figures against its plan: the guardrails (errors, p95 latency against the
 * champion's, empty results) and the sequential test of the interleaved comparisons. Pure; the
 * workflow adds the clocks (bake times, budgets) and acts on the verdict.
 */
public final class RolloutJudge {
  /** Latency is compared once each side has this many answered queries in the window. */
  static final int MIN_LATENCY_SAMPLE = 20;

  /** Errors fail the candidate once there are at least this many, beyond the allowed rate. */
  static final int MIN_ERRORS = 3;

  /** Empty results fail the candidate once there are at least this many, beyond the allowance. */
  static final int MIN_EMPTY = 5;

  /** What a check found. */
  public enum Kind {
    /** Nothing wrong yet, but not enough traffic for the phase to end. */
    WAIT,
    /** The phase's traffic minimum is met and nothing is wrong: it may end once it has baked. */
    READY,
    /** A guardrail failed: roll back. */
    FAIL,
    /** The sequential test found the candidate worse: roll back. */
    WORSE,
    /** The sequential test found the candidate better, with the step's minimum met: promote. */
    BETTER
  }

  public record Verdict(Kind kind, String reason) {}

  private RolloutJudge() {}

  /** Shadow: the candidate's errors and latency beside the champion's on mirrored queries. */
  public static Verdict shadow(ArmStats shadow, RolloutPlan plan) {
    String failed = errors("shadow", shadow, plan);
    if (failed == null && shadow.queries() - shadow.errors() >= MIN_LATENCY_SAMPLE) {
      failed = latency(shadow.p95Ms(), shadow.baselineP95Ms(), plan);
    }
    if (failed != null) {
      return new Verdict(Kind.FAIL, failed);
    }
    if (shadow.queries() < plan.shadowMinQueries()) {
      return new Verdict(
          Kind.WAIT,
          "%d of %d shadow comparisons".formatted(shadow.queries(), plan.shadowMinQueries()));
    }
    return new Verdict(
        Kind.READY,
        String.format(
            Locale.ROOT,
            "%d shadow comparisons, overlap@10 %.2f",
            shadow.queries(),
            shadow.overlap() == null ? 0.0 : shadow.overlap()));
  }

  /**
   * A canary step: the guardrails over the step's window, then the sequential test over the whole
   * canary. The candidate's errors count whether it answered alone or in the interleaved arm (where
   * a failure of its pipeline is answered by the champion and recorded there).
   */
  public static Verdict canary(
      ArmStats champion,
      ArmStats candidate,
      ArmStats interleaved,
      SequentialTest.Result test,
      RolloutPlan plan) {
    String failed = errors("candidate", candidate, plan);
    if (failed == null && interleaved != null) {
      failed = errors("interleaved candidate", interleaved, plan);
    }
    if (failed == null
        && candidate.queries() - candidate.errors() >= MIN_LATENCY_SAMPLE
        && champion.queries() - champion.errors() >= MIN_LATENCY_SAMPLE) {
      failed = latency(candidate.p95Ms(), champion.p95Ms(), plan);
    }
    if (failed == null) {
      failed = empty(champion, candidate, plan);
    }
    if (failed != null) {
      return new Verdict(Kind.FAIL, failed);
    }
    if (test.verdict() == SequentialTest.Verdict.WORSE) {
      return new Verdict(
          Kind.WORSE, "the champion wins the interleaved comparisons: " + test(test));
    }
    boolean minimumMet = candidate.queries() >= plan.stepMinQueries();
    if (!minimumMet) {
      return new Verdict(
          Kind.WAIT,
          "%d of %d candidate queries in this step"
              .formatted(candidate.queries(), plan.stepMinQueries()));
    }
    if (test.verdict() == SequentialTest.Verdict.BETTER) {
      return new Verdict(
          Kind.BETTER, "the candidate wins the interleaved comparisons: " + test(test));
    }
    return new Verdict(
        Kind.READY, "guardrails hold over %d candidate queries".formatted(candidate.queries()));
  }

  /**
   * A rollout that ends undecided at its traffic or time budget: the candidate's errors over the
   * whole rollout (its shadow comparisons and the queries it answered, alone or interleaved)
   * against the plan's rate, without the minimum count the checks wait for ({@link #MIN_ERRORS}).
   * On low traffic that count may never come, and a candidate that failed 2 of its 2 queries is not
   * "no difference".
   *
   * @return {@link Kind#FAIL} with the reason when its errors exceed the rate; null when it may be
   *     kept
   */
  public static Verdict atBudgetEnd(Map<String, ArmStats> total, RolloutPlan plan) {
    ArmStats shadow = total.getOrDefault(Arm.SHADOW, ArmStats.none(Arm.SHADOW));
    ArmStats alone = total.getOrDefault(Arm.CANDIDATE, ArmStats.none(Arm.CANDIDATE));
    ArmStats interleaved = total.getOrDefault(Arm.INTERLEAVED, ArmStats.none(Arm.INTERLEAVED));
    ArmStats candidate =
        new ArmStats(
            Arm.CANDIDATE,
            shadow.queries() + alone.queries() + interleaved.queries(),
            shadow.errors() + alone.errors() + interleaved.errors(),
            0,
            null,
            null,
            null);
    String failed = errors("candidate", candidate, plan, 1);
    return failed == null ? null : new Verdict(Kind.FAIL, failed + " over the whole rollout");
  }

  static String test(SequentialTest.Result t) {
    return String.format(
        Locale.ROOT,
        "%d wins, %d losses (%.0f%%), ln Λ %.2f ≥ %.2f",
        t.wins(),
        t.losses(),
        100 * t.winRate(),
        t.logLikelihoodRatio(),
        t.threshold());
  }

  private static String errors(String what, ArmStats s, RolloutPlan plan) {
    return errors(what, s, plan, MIN_ERRORS);
  }

  private static String errors(String what, ArmStats s, RolloutPlan plan, long minimum) {
    if (s.errors() >= minimum && s.errors() > plan.maxErrorRate() * s.queries()) {
      return String.format(
          Locale.ROOT,
          "%s errors: %d of %d queries failed (%.1f%%, at most %.1f%% allowed)",
          what,
          s.errors(),
          s.queries(),
          100 * s.errorRate(),
          100 * plan.maxErrorRate());
    }
    return null;
  }

  private static String latency(Double candidateP95, Double championP95, RolloutPlan plan) {
    if (candidateP95 == null || championP95 == null) {
      return null;
    }
    double budget = plan.p95Ratio() * championP95 + plan.p95SlackMs();
    if (candidateP95 > budget) {
      return String.format(
          Locale.ROOT,
          "latency: candidate p95 %.1f ms over its budget %.1f ms (champion p95 %.1f ms × %.2f +"
              + " %.0f ms)",
          candidateP95,
          budget,
          championP95,
          plan.p95Ratio(),
          plan.p95SlackMs());
    }
    return null;
  }

  private static String empty(ArmStats champion, ArmStats candidate, RolloutPlan plan) {
    double increase = candidate.emptyRate() - champion.emptyRate();
    if (candidate.empty() >= MIN_EMPTY && increase > plan.maxEmptyIncrease()) {
      return String.format(
          Locale.ROOT,
          "empty results: %.1f%% of the candidate's answers against %.1f%% of the champion's"
              + " (at most %.1f points more allowed)",
          100 * candidate.emptyRate(),
          100 * champion.emptyRate(),
          100 * plan.maxEmptyIncrease());
    }
    return null;
  }
}
