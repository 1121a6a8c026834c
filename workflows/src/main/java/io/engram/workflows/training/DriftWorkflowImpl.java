package io.engram.workflows.training;

import io.engram.workflows.common.RetryPolicies;
import io.temporal.activity.ActivityOptions;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One check per collection, one after the other (each reads a few hundred rows), then a retraining
 * of each collection that drifts.
 *
 * <p>The retraining is started as a child workflow with the retraining's own workflow id ({@link
 * RetrainingWorkflow#workflowId}) and {@link ParentClosePolicy#PARENT_CLOSE_POLICY_ABANDON}, rather
 * than by an activity holding a {@code WorkflowClient}: starting a child is a command Temporal
 * records exactly once, so no retry can start two, and "one is already running" comes back as a
 * start failure in the history ({@link WorkflowExecutionAlreadyStarted}) that replays the same way;
 * the Temporal UI links the retraining to the drift run that caused it. The check waits only until
 * the child has started; abandoned, the retraining outlives it.
 */
public class DriftWorkflowImpl implements DriftWorkflow {

  private final DriftActivities activities =
      Workflow.newActivityStub(
          DriftActivities.class,
          ActivityOptions.newBuilder()
              // A check reads two windows of a few hundred rows and runs a few statistical tests.
              .setStartToCloseTimeout(Duration.ofMinutes(5))
              .setRetryOptions(RetryPolicies.standard())
              .build());

  @Override
  public DriftSummary check(DriftRequest request) {
    List<String> collections =
        request.collection() == null ? activities.collections() : List.of(request.collection());
    WorkflowInfo info = Workflow.getInfo();
    List<DriftSummary.Checked> checked = new ArrayList<>();
    for (String collection : collections) {
      DriftCheck check =
          activities.check(
              collection, info.getWorkflowId() + "/" + info.getRunId() + "/" + collection);
      String retraining =
          request.retrain() && Boolean.TRUE.equals(check.drift()) ? retrain(collection) : null;
      checked.add(new DriftSummary.Checked(check, retraining));
    }
    return new DriftSummary(checked);
  }

  /** Starts the collection's retraining and returns once it has started (or was running). */
  private static String retrain(String collection) {
    return RetrainingStarts.start(collection, RetrainingRequest.DRIFT).status();
  }
}
