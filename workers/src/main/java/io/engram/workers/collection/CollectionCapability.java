package io.engram.workers.collection;

import io.engram.activities.collection.CollectionDeletionActivitiesImpl;
import io.engram.workers.Capability;
import io.engram.workers.WorkerContext;
import io.engram.workflows.collection.CollectionDeletionWorkflowImpl;
import io.engram.workflows.common.TaskQueues;
import io.temporal.worker.Worker;

/**
 * The deletion of whole collections ({@code CollectionDeletionWorkflow}) on task queue {@code
 * maintenance}, beside the other batch SQL. Registers nothing on a worker that does not poll {@code
 * maintenance}.
 */
public final class CollectionCapability implements Capability {

  @Override
  public void register(WorkerContext context) {
    if (!context.polls(TaskQueues.MAINTENANCE)) {
      return;
    }
    Worker worker = context.queue(TaskQueues.MAINTENANCE);
    worker.registerWorkflowImplementationTypes(CollectionDeletionWorkflowImpl.class);
    worker.registerActivitiesImplementations(
        new CollectionDeletionActivitiesImpl(context.core().collectionDeletion()));
  }
}
