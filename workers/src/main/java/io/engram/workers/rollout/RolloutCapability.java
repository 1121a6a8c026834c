package io.engram.workers.rollout;

import io.engram.activities.rollout.IndexRetentionActivitiesImpl;
import io.engram.activities.rollout.RolloutActivitiesImpl;
import io.engram.workers.Capability;
import io.engram.workers.WorkerContext;
import io.engram.workflows.common.TaskQueues;
import io.engram.workflows.rollout.IndexRetentionWorkflowImpl;
import io.engram.workflows.rollout.RolloutWorkflowImpl;
import io.temporal.worker.Worker;

/**
 * Progressive delivery on task queue {@code training}, beside the rest of the model lifecycle: the
 * {@code RolloutWorkflow} and its steps over core's rollout service, and the daily sweep that drops
 * the indexes versions lost rollouts with ({@code IndexRetentionWorkflow}; its schedule is
 * registered with the training schedules). The routing the rollout moves is read by the API
 * processes from PostgreSQL; this worker never answers a query. Registers nothing on a worker that
 * does not poll {@code training}.
 */
public final class RolloutCapability implements Capability {

  @Override
  public void register(WorkerContext context) {
    if (!context.polls(TaskQueues.TRAINING)) {
      return;
    }
    Worker worker = context.queue(TaskQueues.TRAINING);
    worker.registerWorkflowImplementationTypes(
        RolloutWorkflowImpl.class, IndexRetentionWorkflowImpl.class);
    worker.registerActivitiesImplementations(
        new RolloutActivitiesImpl(context.core().rollouts()),
        new IndexRetentionActivitiesImpl(context.core().indexRetention()));
  }
}
