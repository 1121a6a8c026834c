package io.engram.workflows.common;

import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;

/**
 * Activity stubs as Engram's workflows declare them (as {@code private final} fields): every stub
 * has a start-to-close timeout and a retry policy, usually {@link RetryPolicies#standard}. An
 * activity that runs longer than a heartbeat timeout can notice heartbeats, so a worker that dies
 * in it is noticed within that timeout and the activity is retried elsewhere.
 */
public final class ActivityStubs {
  /**
   * The heartbeat timeout of batch activities: a killed worker's batch is retried elsewhere within
   * it.
   */
  public static final Duration BATCH_HEARTBEAT = Duration.ofSeconds(30);

  private ActivityStubs() {}

  /** A stub for short activities, which do not heartbeat. */
  public static <T> T stub(Class<T> activities, Duration startToClose, RetryOptions retry) {
    return Workflow.newActivityStub(activities, options(startToClose, retry).build());
  }

  /** A stub for long activities, which heartbeat at least once per {@code heartbeat}. */
  public static <T> T heartbeating(
      Class<T> activities, Duration startToClose, Duration heartbeat, RetryOptions retry) {
    return Workflow.newActivityStub(
        activities, options(startToClose, retry).setHeartbeatTimeout(heartbeat).build());
  }

  /**
   * The options of {@link #stub}, to add to: another task queue, such as {@link TaskQueues#LLM} for
   * activities that need the LLM.
   */
  public static ActivityOptions.Builder options(Duration startToClose, RetryOptions retry) {
    return ActivityOptions.newBuilder().setStartToCloseTimeout(startToClose).setRetryOptions(retry);
  }
}
