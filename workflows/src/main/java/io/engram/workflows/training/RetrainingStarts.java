package io.engram.workflows.training;

import io.engram.workflows.common.AbandonedChildren;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.util.Map;

/**
 * How a workflow starts a collection's retraining: an {@linkplain AbandonedChildren abandoned
 * child} under the retraining's own workflow id ({@link RetrainingWorkflow#workflowId}), so no
 * retry starts two and the retraining outlives its starter.
 */
final class RetrainingStarts {
  static final String STARTED = AbandonedChildren.STARTED;
  static final String ALREADY_RUNNING = AbandonedChildren.ALREADY_RUNNING;

  private RetrainingStarts() {}

  /** A started retraining: its result to come, or null when one was already running. */
  record Start(String status, Promise<RetrainingResult> result) {}

  /** Starts the collection's retraining with {@code trigger}; returns once it has started. */
  static Start start(String collection, String trigger) {
    RetrainingWorkflow retraining =
        Workflow.newChildWorkflowStub(
            RetrainingWorkflow.class,
            AbandonedChildren.options(RetrainingWorkflow.startOptions(collection)));
    Promise<RetrainingResult> result =
        Async.function(
            retraining::retrain, new RetrainingRequest(collection, trigger, false, null, Map.of()));
    String status = AbandonedChildren.awaitStart(retraining);
    return new Start(status, STARTED.equals(status) ? result : null);
  }
}
