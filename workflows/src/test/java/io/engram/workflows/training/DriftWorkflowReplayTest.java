package io.engram.workflows.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.engram.workflows.common.RetryPolicies;
import io.temporal.activity.ActivityOptions;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.NonDeterministicException;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Replays a recorded history of {@link DriftWorkflowImpl}, so a change to the commands it issues
 * fails here instead of wedging scheduled runs in flight during a deploy. Recorded by {@link
 * RecordDriftHistoriesTest} from the test environment with scripted activities.
 */
@Timeout(60)
class DriftWorkflowReplayTest {

  private static final String HISTORY =
      "histories/drift-retraining-started-and-already-running.json";

  /**
   * Guards the whole path: the collections listed, three checks in order, a retraining started as
   * an abandoned child for the drifting one, and the start refused for the one already retraining.
   */
  @Test
  void replays_a_run_that_started_one_retraining_and_found_another_running() throws Exception {
    WorkflowReplayer.replayWorkflowExecutionFromResource(HISTORY, DriftWorkflowImpl.class);
  }

  /** Proves the replay test can fail: a changed workflow must not replay the history. */
  @Test
  void replay_detects_a_nondeterministic_change() {
    Exception failure =
        assertThrows(
            Exception.class,
            () ->
                WorkflowReplayer.replayWorkflowExecutionFromResource(
                    HISTORY, ReportOnlyDriftWorkflow.class));

    assertThat(failure).hasMessageContaining(NonDeterministicException.class.getSimpleName());
  }

  /** The workflow after an innocent-looking edit: it only reports, never retrains. */
  public static class ReportOnlyDriftWorkflow implements DriftWorkflow {
    private final DriftActivities activities =
        Workflow.newActivityStub(
            DriftActivities.class,
            ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofMinutes(5))
                .setRetryOptions(RetryPolicies.standard())
                .build());

    @Override
    public DriftSummary check(DriftRequest request) {
      List<DriftSummary.Checked> out = new ArrayList<>();
      for (String c : activities.collections()) {
        out.add(new DriftSummary.Checked(activities.check(c, c), null));
      }
      return new DriftSummary(out);
    }
  }
}
