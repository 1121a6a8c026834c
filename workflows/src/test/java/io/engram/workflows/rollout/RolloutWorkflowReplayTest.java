package io.engram.workflows.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.engram.workflows.common.ActivityStubs;
import io.engram.workflows.common.RetryPolicies;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.NonDeterministicException;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Replays recorded histories of {@link RolloutWorkflowImpl} (recorded by {@link
 * RecordRolloutHistoriesTest}), so a change to the commands it issues fails here instead of wedging
 * rollouts in flight — whose routing splits live traffic — during a deploy.
 */
@Timeout(60)
class RolloutWorkflowReplayTest {
  private static final String PROMOTE = "histories/rollout-approved-promote.json";

  /**
   * One history per way a rollout ends by its figures: promoted on approval after a pause, rolled
   * back by a guardrail, rolled back when its promotion was refused ({@link
   * RolloutWorkflowImpl#REFUSED_PROMOTION}), and rolled back at its time budget for errors too few
   * to fail a check ({@link RolloutWorkflowImpl#ERRORS_AT_BUDGET_END}), and rolled back while
   * paused because its champion was moved by hand ({@link
   * RolloutWorkflowImpl#INTEGRITY_WHILE_PAUSED}; the promoted one paused before it, with no
   * marker).
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        PROMOTE,
        "histories/rollout-guardrail-rollback.json",
        "histories/rollout-refused-promotion.json",
        "histories/rollout-errors-at-budget-end.json",
        "histories/rollout-index-caught-up-promote.json",
        "histories/rollout-index-caught-up-twice-promote.json",
        "histories/rollout-index-caught-up-at-start-promote.json",
        "histories/rollout-too-little-traffic-kept.json",
        "histories/rollout-paused-champion-moved-rollback.json"
      })
  void replays(String history) throws Exception {
    WorkflowReplayer.replayWorkflowExecutionFromResource(history, RolloutWorkflowImpl.class);
  }

  /** Proves the replay can fail: the canary skipped, straight from shadow to the decision. */
  @Test
  void replay_detects_a_nondeterministic_change() {
    Exception failure =
        assertThrows(
            Exception.class,
            () -> WorkflowReplayer.replayWorkflowExecutionFromResource(PROMOTE, NoCanary.class));

    assertThat(failure).hasMessageContaining(NonDeterministicException.class.getSimpleName());
  }

  /** The workflow after a tempting shortcut: promote as soon as shadow looks fine. */
  public static class NoCanary implements RolloutWorkflow {
    private final RolloutActivities steps =
        ActivityStubs.stub(
            RolloutActivities.class, Duration.ofMinutes(1), RetryPolicies.standard());

    @Override
    public RolloutResult rollOut(RolloutRequest request) {
      RolloutStarted started = steps.begin(request);
      Workflow.sleep(Duration.ofMillis(started.timings().checkIntervalMs()));
      steps.check(started.rolloutId());
      steps.promote(started.rolloutId(), "rollout", "shadow looked fine");
      return null;
    }

    @Override
    public void approve(RolloutSignal signal) {}

    @Override
    public void abort(RolloutSignal signal) {}

    @Override
    public void pause(RolloutSignal signal) {}

    @Override
    public void resume(RolloutSignal signal) {}

    @Override
    public RolloutStatus status() {
      return null;
    }
  }
}
