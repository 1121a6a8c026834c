package io.engram.workflows.common;

import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Workflow;

/**
 * How a workflow starts another that must outlive it (a drift check starting a retraining, a
 * retraining starting the rollout of the version it staged): as a child under the started
 * workflow's own id, task queue and search attributes, with {@link
 * ParentClosePolicy#PARENT_CLOSE_POLICY_ABANDON}, rather than from an activity holding a {@code
 * WorkflowClient}. Starting a child is a command Temporal records exactly once, so no retry can
 * start two; "one is already running" comes back as a start failure in the history ({@link
 * WorkflowExecutionAlreadyStarted}) that replays the same way; the Temporal UI links the child to
 * what started it.
 */
public final class AbandonedChildren {
  public static final String STARTED = "started";
  public static final String ALREADY_RUNNING = "already_running";

  private AbandonedChildren() {}

  /** Child options that start under {@code options}' id, task queue and search attributes. */
  public static ChildWorkflowOptions options(WorkflowOptions options) {
    return ChildWorkflowOptions.newBuilder()
        .setWorkflowId(options.getWorkflowId())
        .setTaskQueue(options.getTaskQueue())
        .setTypedSearchAttributes(options.getTypedSearchAttributes())
        .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_ABANDON)
        .build();
  }

  /**
   * Waits until the child behind {@code stub} (its method already called asynchronously) has
   * started: {@link #STARTED}, or {@link #ALREADY_RUNNING} when a workflow with its id runs.
   */
  public static String awaitStart(Object stub) {
    try {
      Workflow.getWorkflowExecution(stub).get();
      return STARTED;
    } catch (ChildWorkflowFailure e) {
      if (e.getCause() instanceof WorkflowExecutionAlreadyStarted) {
        return ALREADY_RUNNING;
      }
      throw e;
    }
  }
}
