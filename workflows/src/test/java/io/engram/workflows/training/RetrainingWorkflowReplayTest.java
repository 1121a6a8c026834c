package io.engram.workflows.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.engram.workflows.common.ActivityStubs;
import io.engram.workflows.common.RetryPolicies;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.NonDeterministicException;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Replays recorded histories of {@link RetrainingWorkflowImpl} (recorded by {@link
 * RecordRetrainingHistoriesTest}), so a change to the commands it issues fails here instead of
 * wedging retrainings in flight during a deploy.
 */
@Timeout(60)
class RetrainingWorkflowReplayTest {
  private static final String SEARCH = "histories/retraining-search-staged.json";

  @ParameterizedTest
  @ValueSource(
      strings = {
        SEARCH,
        "histories/retraining-staged-rollout-started.json",
        "histories/retraining-gated-on-stored-eval-sets.json",
        "histories/retraining-rebuilt-candidate-index.json",
        "histories/retraining-rebuilt-candidate-index-v2.json",
        "histories/retraining-pinned-rejected.json",
        "histories/retraining-no-op.json",
        "histories/retraining-invalid-data.json"
      })
  void replays(String history) throws Exception {
    WorkflowReplayer.replayWorkflowExecutionFromResource(history, RetrainingWorkflowImpl.class);
  }

  @Test
  void replays_a_scheduled_round() throws Exception {
    WorkflowReplayer.replayWorkflowExecutionFromResource(
        "histories/scheduled-retraining-two-collections.json",
        ScheduledRetrainingWorkflowImpl.class);
  }

  /** Proves the replay can fail: the search loop changed to run every trial at once. */
  @Test
  void replay_detects_a_nondeterministic_change() {
    Exception failure =
        assertThrows(
            Exception.class,
            () ->
                WorkflowReplayer.replayWorkflowExecutionFromResource(
                    SEARCH, AllTrialsAtOnce.class));

    assertThat(failure).hasMessageContaining(NonDeterministicException.class.getSimpleName());
  }

  /** The workflow after an innocent-looking edit: no parallelism bound, no early stopping. */
  public static class AllTrialsAtOnce implements RetrainingWorkflow {
    private final RetrainingActivities steps =
        ActivityStubs.heartbeating(
            RetrainingActivities.class,
            Duration.ofMinutes(15),
            Duration.ofMinutes(1),
            RetryPolicies.standard());

    @Override
    public RetrainingResult retrain(RetrainingRequest request) {
      RetrainingDecision decision = steps.decide(request);
      steps.checkData(decision.job());
      long study = steps.createStudy(decision.job());
      List<Promise<TrialResult>> all = new ArrayList<>();
      for (int i = 0; i < decision.budget().trials(); i++) {
        all.add(Async.function(steps::runTrial, study, i, decision.job()));
      }
      Promise.allOf(all).get();
      return null;
    }

    @Override
    public RetrainingProgress progress() {
      return null;
    }
  }
}
