package io.engram.workers.training;

import io.engram.activities.training.DriftActivitiesImpl;
import io.engram.activities.training.RetrainingActivitiesImpl;
import io.engram.core.CoreServices;
import io.engram.core.drift.DriftDetector;
import io.engram.core.query.ExchangeListener;
import io.engram.workers.Capability;
import io.engram.workers.WorkerContext;
import io.engram.workflows.common.TaskQueues;
import io.engram.workflows.training.DriftWorkflowImpl;
import io.engram.workflows.training.RetrainingWorkflowImpl;
import io.engram.workflows.training.ScheduledRetrainingWorkflowImpl;
import io.temporal.worker.Worker;

/**
 * The model lifecycle on task queue {@code training}: the {@code RetrainingWorkflow} and its steps
 * (decide, check, trials, register, judge; its held-out evaluations are evaluation workflows on the
 * same queue, see {@code EvaluationCapability}), the drift check ({@code DriftWorkflow} over core's
 * {@link DriftDetector}) and their schedules. Registers nothing on a worker that does not poll
 * {@code training}.
 */
public final class TrainingCapability implements Capability {

  @Override
  public void register(WorkerContext context) {
    if (!context.polls(TaskQueues.TRAINING)) {
      return;
    }
    CoreServices core = context.core();
    DriftDetector detector =
        DriftDetector.create(
            core, core.queryPipelines(context.metrics(), ExchangeListener.NONE), context.metrics());
    Worker worker = context.queue(TaskQueues.TRAINING);
    worker.registerWorkflowImplementationTypes(
        RetrainingWorkflowImpl.class,
        ScheduledRetrainingWorkflowImpl.class,
        DriftWorkflowImpl.class);
    worker.registerActivitiesImplementations(
        new RetrainingActivitiesImpl(core.retraining(), core.settings().rollout().autoStart()),
        new DriftActivitiesImpl(detector));
  }

  /** Registers the schedules when this worker runs their workflows (polls {@code training}). */
  @Override
  public void started(WorkerContext context) {
    if (!context.polls(TaskQueues.TRAINING)) {
      return;
    }
    CoreServices core = context.core();
    new TrainingSchedules(
            context.schedules(),
            core.settings().training(),
            core.settings().rollout().retention(),
            core.settings().profile().value())
        .register();
  }
}
