package io.engram.workers;

import io.engram.core.CoreServices;
import io.engram.workflows.common.TaskQueues;
import io.micrometer.core.instrument.MeterRegistry;
import io.temporal.client.WorkflowClient;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleClientOptions;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a {@link Capability} registers with and builds from: core, metrics, Temporal. */
public final class WorkerContext {

  /**
   * Activities each task queue runs at once in one worker process. Ingestion runs two batches at a
   * time (see IngestionWorkflowImpl) with room for discovery beside them; evaluation runs at most
   * two batches (EvaluationWorkflowImpl) plus its prepare and summary steps; maintenance is batch
   * SQL, and a few at a time keep the database pool free for ingestion; LLM calls wait on one
   * endpoint, and two at a time is what a small local model serves without queueing.
   */
  static final Map<String, Integer> ACTIVITY_SLOTS =
      Map.of(
          TaskQueues.INGEST, 4,
          TaskQueues.TRAINING, 4,
          TaskQueues.MAINTENANCE, 4,
          TaskQueues.LLM, 2);

  private final CoreServices core;
  private final MeterRegistry metrics;
  private final WorkerFactory factory;
  private final Map<String, Worker> queues = new LinkedHashMap<>();

  WorkerContext(CoreServices core, MeterRegistry metrics, WorkerFactory factory) {
    this.core = core;
    this.metrics = metrics;
    this.factory = factory;
  }

  public CoreServices core() {
    return core;
  }

  public MeterRegistry metrics() {
    return metrics;
  }

  public WorkflowClient client() {
    return factory.getWorkflowClient();
  }

  /** A client of the namespace's schedules. */
  public ScheduleClient schedules() {
    WorkflowClient client = client();
    return ScheduleClient.newInstance(
        client.getWorkflowServiceStubs(),
        ScheduleClientOptions.newBuilder()
            .setNamespace(client.getOptions().getNamespace())
            .build());
  }

  /** The worker polling {@code taskQueue}, created with the queue's options on first use. */
  public synchronized Worker queue(String taskQueue) {
    return queues.computeIfAbsent(
        taskQueue,
        q -> {
          Integer slots = ACTIVITY_SLOTS.get(q);
          if (slots == null) {
            throw new IllegalArgumentException("no activity slots configured for task queue " + q);
          }
          return factory.newWorker(
              q, WorkerOptions.newBuilder().setMaxConcurrentActivityExecutionSize(slots).build());
        });
  }

  /** The task queues a capability asked for. */
  synchronized java.util.List<String> taskQueues() {
    return java.util.List.copyOf(queues.keySet());
  }
}
