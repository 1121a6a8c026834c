package io.engram.workflows.training;

import io.engram.workflows.common.EngramSearchAttributes;
import io.engram.workflows.common.TaskQueues;
import io.temporal.client.WorkflowOptions;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Retrains one collection's model: decides whether to (the reason is stored and shown in the
 * Temporal UI), checks the labelled data, searches the bundle's hyperparameters, evaluates the best
 * on the held-out part, gates it against the champion and registers it, staged or rejected.
 */
@WorkflowInterface
public interface RetrainingWorkflow {

  @WorkflowMethod
  RetrainingResult retrain(RetrainingRequest request);

  @QueryMethod
  RetrainingProgress progress();

  /**
   * One retraining per collection at a time: the id is the collection's, so a second request while
   * one runs (a drift trigger during a scheduled run) attaches instead of racing it.
   */
  static String workflowId(String collection) {
    return "retrain-" + collection;
  }

  /** How every client starts a retraining: its id, task queue {@code training}, the collection. */
  static WorkflowOptions startOptions(String collection) {
    return WorkflowOptions.newBuilder()
        .setWorkflowId(workflowId(collection))
        .setTaskQueue(TaskQueues.TRAINING)
        .setTypedSearchAttributes(EngramSearchAttributes.ofCollection(collection))
        .build();
  }
}
