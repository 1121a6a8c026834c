package io.engram.workers;

/**
 * One capability of the worker (ingestion, memory, evaluation; training and rollout add theirs):
 * the workflows and activities it polls for, registered together in one small class. The worker's
 * composition root only composes capabilities.
 */
public interface Capability {

  /** Registers the capability's workflows and activities on the task queues they run on. */
  void register(WorkerContext context);

  /** Called once the worker polls: a capability may register its schedules here. */
  default void started(WorkerContext context) {}
}
