package io.engram.workers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engram.workers.ingestion.IngestionCapability;
import io.engram.workers.memory.MemoryCapability;
import io.engram.workers.training.TrainingCapability;
import io.engram.workflows.common.TaskQueues;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.WorkerFactory;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which task queues a worker polls ({@code ENGRAM_WORKER_TASK_QUEUES}). Nothing here connects:
 * service stubs connect lazily and the factory is never started.
 */
class WorkerContextTest {
  private final WorkflowServiceStubs service =
      WorkflowServiceStubs.newServiceStubs(
          WorkflowServiceStubsOptions.newBuilder().setTarget("127.0.0.1:1").build());
  private final WorkerFactory factory =
      WorkerFactory.newInstance(WorkflowClient.newInstance(service));

  @AfterEach
  void close() {
    service.shutdownNow();
  }

  private WorkerContext polling(String... queues) {
    return new WorkerContext(null, new SimpleMeterRegistry(), factory, List.of(queues));
  }

  @Test
  void creates_workers_only_for_the_queues_it_polls() {
    WorkerContext context = polling(TaskQueues.INGEST, TaskQueues.LLM);
    assertThat(context.polls(TaskQueues.INGEST)).isTrue();
    assertThat(context.polls(TaskQueues.MAINTENANCE)).isFalse();
    context.queue(TaskQueues.LLM);
    assertThat(context.taskQueues()).containsExactly(TaskQueues.LLM);
    assertThatThrownBy(() -> context.queue(TaskQueues.TRAINING))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("does not poll task queue training");
    assertThat(factory.tryGetWorker(TaskQueues.TRAINING)).isNull();
  }

  @Test
  void capabilities_of_queues_it_does_not_poll_register_nothing() {
    // A worker of the training group: neither ingestion nor the memory lifecycle is built (the
    // null core would fail the moment either touched it), and no schedule is registered.
    WorkerContext context = polling(TaskQueues.TRAINING);
    new IngestionCapability().register(context);
    MemoryCapability memory = new MemoryCapability();
    memory.register(context);
    memory.started(context);
    assertThat(context.taskQueues()).isEmpty();
  }

  @Test
  void the_training_capability_registers_nothing_on_a_worker_without_the_training_queue() {
    WorkerContext context = polling(TaskQueues.INGEST, TaskQueues.MAINTENANCE);
    TrainingCapability training = new TrainingCapability();
    training.register(context);
    training.started(context);
    assertThat(context.taskQueues()).isEmpty();
  }

  @Test
  void refuses_a_queue_that_does_not_exist_naming_the_setting() {
    assertThatThrownBy(() -> polling(TaskQueues.INGEST, "ingestion"))
        .hasMessageContaining("ENGRAM_WORKER_TASK_QUEUES names 'ingestion'")
        .hasMessageContaining("[ingest, training, maintenance, llm]");
  }
}
