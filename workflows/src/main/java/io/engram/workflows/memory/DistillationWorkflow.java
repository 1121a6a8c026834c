package io.engram.workflows.memory;

import io.engram.workflows.common.EngramSearchAttributes;
import io.engram.workflows.common.TaskQueues;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.SearchAttributes;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Distils one session's turns into episodic memory, one run per session at a time. Clients
 * signal-with-start it ({@link #turnsAdded}) every few turns: a running run picks the turns up, and
 * an idle session's run completes until the next signal starts a new one.
 */
@WorkflowInterface
public interface DistillationWorkflow {

  @WorkflowMethod
  DistillationSummary distill(DistillationRequest request);

  /** Turns up to {@code lastTurnId} exist in the session and wait to be distilled. */
  @SignalMethod
  void turnsAdded(long lastTurnId);

  @QueryMethod
  DistillationSummary summary();

  /** One workflow id per session, so a session is never distilled by two runs at once. */
  static String workflowId(String sessionId) {
    return "distill-" + sessionId;
  }

  /** How every client starts (or signals) a session's distillation. */
  static WorkflowOptions startOptions(String sessionId) {
    return WorkflowOptions.newBuilder()
        .setWorkflowId(workflowId(sessionId))
        .setTaskQueue(TaskQueues.MAINTENANCE)
        .setTypedSearchAttributes(
            SearchAttributes.newBuilder()
                .set(EngramSearchAttributes.JOB_TYPE, MemoryJobs.DISTILLATION)
                .set(EngramSearchAttributes.SESSION, sessionId)
                .build())
        .setStaticSummary("Distil session " + sessionId + " into episodic memory")
        .build();
  }
}
