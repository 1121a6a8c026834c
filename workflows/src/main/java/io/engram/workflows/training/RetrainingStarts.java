package io.engram.workflows.training;

import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.util.Map;

/**
 * How a workflow starts a collection's retraining: as a child under the retraining's own workflow
 * id ({@link RetrainingWorkflow#workflowId}) with {@link
 * ParentClosePolicy#PARENT_CLOSE_POLICY_ABANDON}, rather than from an activity holding a {@code
 * WorkflowClient}. Starting a child is a command Temporal records exactly once, so no retry can
 * start two; "one is already running" comes back as a start failure in the history ({@code
 * WorkflowExecutionAlreadyStarted}) that replays the same way; the Temporal UI links the retraining
 * to what started it. Abandoned, the retraining outlives its starter.
 */
final class RetrainingStarts {
  static final String STARTED = "started";
  static final String ALREADY_RUNNING = "already_running";

  private RetrainingStarts() {}

  /** A started retraining: its result to come, or null when one was already running. */
  record Start(String status, Promise<RetrainingResult> result) {}

  /** Starts the collection's retraining with {@code trigger}; returns once it has started. */
  static Start start(String collection, String trigger) {
    WorkflowOptions options = RetrainingWorkflow.startOptions(collection);
    RetrainingWorkflow retraining =
        Workflow.newChildWorkflowStub(
            RetrainingWorkflow.class,
            ChildWorkflowOptions.newBuilder()
                .setWorkflowId(options.getWorkflowId())
                .setTaskQueue(options.getTaskQueue())
                .setTypedSearchAttributes(options.getTypedSearchAttributes())
                .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_ABANDON)
                .build());
    Promise<RetrainingResult> result =
        Async.function(
            retraining::retrain, new RetrainingRequest(collection, trigger, false, null, Map.of()));
    try {
      Workflow.getWorkflowExecution(retraining).get();
      return new Start(STARTED, result);
    } catch (ChildWorkflowFailure e) {
      if (e.getCause() instanceof WorkflowExecutionAlreadyStarted) {
        return new Start(ALREADY_RUNNING, null);
      }
      throw e;
    }
  }
}
