package io.engram.workflows.training;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Checks collections for drift between their recent live queries and their champion's reference
 * queries, stores each report and, when asked, starts a retraining (trigger {@code drift}) of a
 * collection that drifts, unless one is running. Runs hourly on a Temporal Schedule ({@link
 * #SCHEDULE_ID}) on task queue {@code training}.
 */
@WorkflowInterface
public interface DriftWorkflow {

  /** The schedule's id, and the prefix of the ids of the runs it starts. */
  String SCHEDULE_ID = "engram-drift";

  @WorkflowMethod
  DriftSummary check(DriftRequest request);
}
