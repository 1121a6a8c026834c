package io.engram.workflows.memory;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * One pass of a memory maintenance job: salience (every 5 minutes), TTL cleanup (every 6 hours) or
 * session cleanup (every 15 minutes), started by the {@code engram-salience}, {@code
 * engram-ttl-cleanup} and {@code engram-session-cleanup} schedules.
 */
@WorkflowInterface
public interface MaintenanceWorkflow {

  @WorkflowMethod
  MaintenanceResult run(MaintenanceRequest request);

  @QueryMethod
  MaintenanceResult progress();
}
