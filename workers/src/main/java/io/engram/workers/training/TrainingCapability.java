package io.engram.workers.training;

import io.engram.activities.training.RetrainingActivitiesImpl;
import io.engram.workers.Capability;
import io.engram.workers.WorkerContext;
import io.engram.workflows.common.TaskQueues;
import io.engram.workflows.training.RetrainingWorkflowImpl;

/**
 * The model lifecycle on task queue {@code training}: the {@code RetrainingWorkflow} and its steps
 * (decide, check, trials, register, judge). Its held-out evaluations are evaluation workflows on
 * the same queue (see {@code EvaluationCapability}).
 */
public final class TrainingCapability implements Capability {

  @Override
  public void register(WorkerContext context) {
    if (!context.polls(TaskQueues.TRAINING)) {
      return;
    }
    context
        .queue(TaskQueues.TRAINING)
        .registerWorkflowImplementationTypes(RetrainingWorkflowImpl.class);
    context
        .queue(TaskQueues.TRAINING)
        .registerActivitiesImplementations(
            new RetrainingActivitiesImpl(context.core().retraining()));
  }
}
