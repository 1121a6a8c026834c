package io.engram.workflows.rollout;

import io.engram.workflows.common.ActivityStubs;
import io.engram.workflows.common.RetryPolicies;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.List;

/** One sweep: the activity does the work, at the time the workflow's clock says. */
public class IndexRetentionWorkflowImpl implements IndexRetentionWorkflow {

  /**
   * Deleting a large collection's chunks of one index version takes a while; the activity
   * heartbeats meanwhile, so a worker that dies in it is noticed within the heartbeat timeout
   * rather than the half hour, and the retry finishes what it had begun.
   */
  private final IndexRetentionActivities activities =
      ActivityStubs.heartbeating(
          IndexRetentionActivities.class,
          Duration.ofMinutes(30),
          ActivityStubs.BATCH_HEARTBEAT,
          RetryPolicies.standard());

  @Override
  public List<DroppedIndex> sweep() {
    return activities.dropExpired(Workflow.currentTimeMillis());
  }
}
