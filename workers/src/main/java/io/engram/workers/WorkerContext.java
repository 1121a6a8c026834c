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
import java.util.List;
import java.util.Map;
import java.util.Set;

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
  private final Set<String> polled;
  private final Map<String, Worker> queues = new LinkedHashMap<>();

  /**
   * @param polled the task queues this process polls ({@code ENGRAM_WORKER_TASK_QUEUES})
   * @throws IllegalArgumentException when {@code polled} names a queue no capability runs on
   */
  WorkerContext(
      CoreServices core, MeterRegistry metrics, WorkerFactory factory, List<String> polled) {
    for (String q : polled) {
      if (!ACTIVITY_SLOTS.containsKey(q)) {
        throw new IllegalArgumentException(
            "ENGRAM_WORKER_TASK_QUEUES names '%s', which is not a task queue; known: %s"
                .formatted(
                    q,
                    List.of(
                        TaskQueues.INGEST,
                        TaskQueues.TRAINING,
                        TaskQueues.MAINTENANCE,
                        TaskQueues.LLM)));
      }
    }
    this.core = core;
    this.metrics = metrics;
    this.factory = factory;
    this.polled = Set.copyOf(polled);
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

  /**
   * Whether this process polls {@code taskQueue}: a capability registers its workflows and
   * activities of a queue, and builds what they need, only when it does.
   */
  public boolean polls(String taskQueue) {
    return polled.contains(taskQueue);
  }

  /**
   * The worker polling {@code taskQueue}, created with the queue's options on first use.
   *
   * @throws IllegalStateException when this process does not poll the queue (ask {@link #polls})
   */
  public synchronized Worker queue(String taskQueue) {
    if (!polls(taskQueue)) {
      throw new IllegalStateException(
          "this worker does not poll task queue " + taskQueue + " (ENGRAM_WORKER_TASK_QUEUES)");
    }
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
  synchronized List<String> taskQueues() {
    return List.copyOf(queues.keySet());
  }
}
