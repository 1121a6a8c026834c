package io.engram.core.rollout;

import java.time.Duration;
import java.util.Objects;

/**
 * How rollouts of a profile run ({@code ENGRAM_ROLLOUT_*}): whether a staged version starts one by
 * itself, whether a candidate the test finds better is promoted without an approval, the default
 * {@link RolloutPlan}, and what the API's router needs.
 *
 * @param autoStart a version a retraining stages starts its rollout by itself
 * @param autoPromote a candidate the test finds better is promoted without an approve signal
 * @param plan the plan a rollout follows unless its starter overrides part of it
 * @param approvalTimeout how long a rollout waits for approval before it keeps the champion
 * @param maxPause how long a rollout may stay paused before it keeps the champion
 * @param retention how long the version that lost the champion alias keeps its index
 * @param shadowQueue shadow comparisons waiting at most; more are dropped, never waited for
 * @param shadowThreads threads running shadow comparisons, beside the request path
 * @param routingTtl how long an API process trusts the routing state it read (0: every request)
 * @param faultsEnabled whether the fault switches (latency per model version) may be set
 */
public record RolloutSettings(
    boolean autoStart,
    boolean autoPromote,
    RolloutPlan plan,
    Duration approvalTimeout,
    Duration maxPause,
    Duration retention,
    int shadowQueue,
    int shadowThreads,
    Duration routingTtl,
    boolean faultsEnabled) {

  public RolloutSettings {
    Objects.requireNonNull(plan, "plan");
    Objects.requireNonNull(approvalTimeout, "approvalTimeout");
    Objects.requireNonNull(maxPause, "maxPause");
    Objects.requireNonNull(retention, "retention");
    Objects.requireNonNull(routingTtl, "routingTtl");
    if (shadowQueue < 1 || shadowThreads < 1) {
      throw new IllegalArgumentException("shadowQueue and shadowThreads must be positive");
    }
  }
}
