package io.engram.workflows.rollout;

import java.util.List;

/**
 * What a starter changes of the profile's rollout plan ({@code ENGRAM_ROLLOUT_*}); a null field
 * keeps the profile's value. Durations in milliseconds. The traffic simulator compresses the
 * timings with it; the whole plan is validated when the rollout begins.
 */
public record PlanOverrides(
    Double shadowShare,
    Integer shadowMinQueries,
    Long shadowBakeMs,
    List<Double> steps,
    Long stepBakeMs,
    Integer stepMinQueries,
    Double interleaveShare,
    Double maxErrorRate,
    Double p95Ratio,
    Double p95SlackMs,
    Double maxEmptyIncrease,
    Double alpha,
    Integer maxComparisons,
    Long timeBudgetMs,
    Long checkIntervalMs) {

  public static final PlanOverrides NONE =
      new PlanOverrides(
          null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
}
