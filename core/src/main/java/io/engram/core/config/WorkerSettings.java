package io.engram.core.config;

import java.util.List;

/**
 * The worker process.
 *
 * @param metricsPort port of its Prometheus endpoint, 0 for none
 * @param databasePool database connections it keeps
 * @param taskQueues the task queues it polls
 */
public record WorkerSettings(int metricsPort, int databasePool, List<String> taskQueues) {
  public WorkerSettings {
    taskQueues = List.copyOf(taskQueues);
  }
}
