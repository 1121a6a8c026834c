package io.engram.testing;

import io.engram.core.rollout.RolloutPlan;
import java.time.Duration;
import java.util.List;

/** Rollout plans the tests of several modules judge and run rollouts with. */
public final class RolloutPlans {
  private RolloutPlans() {}

  /**
   * A fifth of queries in shadow (100 comparisons, 10 min bake), canary steps of 5, 25 and 50 % (10
   * min and 50 queries each), a tenth interleaved; at most 1 % errors, p95 within × 1.5 + 25 ms and
   * 2 % more empty results; α 0.05 over at most 2000 comparisons within 2 h; checks every 15 s.
   */
  public static final RolloutPlan TYPICAL =
      new RolloutPlan(
          0.2,
          100,
          Duration.ofMinutes(10),
          List.of(0.05, 0.25, 0.5),
          Duration.ofMinutes(10),
          50,
          0.1,
          0.01,
          1.5,
          25,
          0.02,
          0.05,
          2000,
          Duration.ofHours(2),
          Duration.ofSeconds(15));
}
