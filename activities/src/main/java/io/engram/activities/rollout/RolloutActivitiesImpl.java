package io.engram.activities.rollout;

import io.engram.core.query.UnknownResourceException;
import io.engram.core.registry.RegistryConflictException;
import io.engram.core.rollout.Rollout;
import io.engram.core.rollout.RolloutCheck;
import io.engram.core.rollout.RolloutConflictException;
import io.engram.core.rollout.RolloutJudge;
import io.engram.core.rollout.RolloutPlan;
import io.engram.core.rollout.RolloutService;
import io.engram.core.rollout.RolloutSettings;
import io.engram.workflows.common.FailureTypes;
import io.engram.workflows.ingestion.IndexParams;
import io.engram.workflows.rollout.PlanOverrides;
import io.engram.workflows.rollout.RolloutActivities;
import io.engram.workflows.rollout.RolloutRequest;
import io.engram.workflows.rollout.RolloutSignal;
import io.engram.workflows.rollout.RolloutStarted;
import io.engram.workflows.rollout.RolloutVerdict;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityInfo;
import io.temporal.failure.ApplicationFailure;

/**
 * The rollout's steps: a thin adapter over core's {@link RolloutService}. Every audit row is keyed
 * by the workflow run and the activity's id, which a retry keeps, so a retried step records once.
 */
public final class RolloutActivitiesImpl implements RolloutActivities {
  private final RolloutService service;

  public RolloutActivitiesImpl(RolloutService service) {
    this.service = service;
  }

  @Override
  public RolloutStarted begin(RolloutRequest request) {
    ActivityInfo info = Activity.getExecutionContext().getInfo();
    Rollout r;
    try {
      r =
          service.begin(
              new RolloutService.Start(
                  info.getWorkflowId(),
                  info.getRunId(),
                  request.collection(),
                  request.candidate(),
                  request.trigger(),
                  request.actor(),
                  request.reason(),
                  overrides(request.overrides())));
    } catch (UnknownResourceException | RolloutConflictException | IllegalArgumentException e) {
      throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), FailureTypes.ROLLOUT_REFUSED);
    }
    RolloutPlan plan = r.plan();
    RolloutSettings settings = service.settings();
    return new RolloutStarted(
        r.id(),
        r.champion().number(),
        r.candidate().number(),
        plan.steps().size(),
        settings.autoPromote(),
        new RolloutStarted.Timings(
            plan.shadowBake().toMillis(),
            plan.stepBake().toMillis(),
            plan.timeBudget().toMillis(),
            plan.checkInterval().toMillis(),
            settings.approvalTimeout().toMillis(),
            settings.maxPause().toMillis()),
        service
            .candidateIndex(r)
            .map(i -> new IndexParams(i.embeddingModel(), i.chunkSize(), i.chunkOverlap()))
            .orElse(null));
  }

  @Override
  public void enter(long rolloutId, String phase, int step) {
    service.enter(rolloutId, phase, step, key());
  }

  @Override
  public RolloutVerdict check(long rolloutId) {
    RolloutCheck c = service.check(rolloutId);
    if (c.verdict() == RolloutJudge.Kind.FAIL || c.verdict() == RolloutJudge.Kind.WORSE) {
      service.recordCheck(rolloutId, c, key());
    }
    RolloutPlan plan = service.require(rolloutId).plan();
    RolloutJudge.Verdict atBudgetEnd = RolloutJudge.atBudgetEnd(c.total(), plan);
    return new RolloutVerdict(
        c.verdict().name(),
        c.reason(),
        c.exposure(),
        c.test().wins(),
        c.test().losses(),
        c.test().logLikelihoodRatio(),
        c.test().threshold(),
        c.comparisons().decisive() >= plan.maxComparisons(),
        atBudgetEnd == null ? null : atBudgetEnd.reason());
  }

  @Override
  public String checkIntegrity(long rolloutId) {
    return service.checkIntegrity(rolloutId, key()).orElse(null);
  }

  @Override
  public void signal(long rolloutId, String signal, RolloutSignal sent) {
    service.signal(rolloutId, signal, sent.actor(), sent.reason(), key());
  }

  @Override
  public void promote(long rolloutId, String actor, String reason) {
    try {
      service.promote(rolloutId, actor, reason, key());
    } catch (RegistryConflictException | RolloutConflictException e) {
      // The state refuses it (the candidate archived, the champion moved): no retry changes that.
      throw ApplicationFailure.newNonRetryableFailure(
          e.getMessage(), FailureTypes.ROLLOUT_MOVE_REFUSED);
    }
  }

  @Override
  public void rollBack(long rolloutId, String actor, String reason) {
    service.rollBack(rolloutId, actor, reason, key());
  }

  @Override
  public void keep(long rolloutId, String actor, String reason) {
    service.keep(rolloutId, actor, reason, key());
  }

  /** The audit key of this step: the workflow run and the activity's id, which retries keep. */
  private static String key() {
    ActivityInfo info = Activity.getExecutionContext().getInfo();
    return info.getRunId() + "/" + info.getActivityId();
  }

  /** The starter's overrides as core's plan takes them (the same names, milliseconds). */
  static RolloutPlan.Overrides overrides(PlanOverrides o) {
    return RolloutPlan.Overrides.of(o);
  }
}
