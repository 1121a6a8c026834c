package io.engram.workflows.rollout;

import io.engram.workflows.common.RetryPolicies;
import io.temporal.activity.ActivityOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.List;

/** One sweep: the activity does the work, at the time the workflow's clock says. */
public class IndexRetentionWorkflowImpl implements IndexRetentionWorkflow {

  private final IndexRetentionActivities activities =
      Workflow.newActivityStub(
          IndexRetentionActivities.class,
          ActivityOptions.newBuilder()
              // Deleting a large collection's chunks of one index version takes a while.
              .setStartToCloseTimeout(Duration.ofMinutes(30))
              .setRetryOptions(RetryPolicies.standard())
              .build());

  @Override
  public List<DroppedIndex> sweep() {
    return activities.dropExpired(Workflow.currentTimeMillis());
  }
}
