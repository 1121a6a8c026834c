package io.engram.workers.memory;

import io.engram.activities.memory.DistillationActivitiesImpl;
import io.engram.activities.memory.MaintenanceActivitiesImpl;
import io.engram.activities.memory.MemoryMetrics;
import io.engram.activities.memory.PromotionActivitiesImpl;
import io.engram.core.CoreServices;
import io.engram.core.memory.Distiller;
import io.engram.core.memory.EpisodicMemory;
import io.engram.core.memory.FactExtractor;
import io.engram.core.memory.LocalFactExtractor;
import io.engram.core.memory.MemoryMaintenance;
import io.engram.core.memory.MemorySettings;
import io.engram.workers.Capability;
import io.engram.workers.WorkerContext;
import io.engram.workflows.common.TaskQueues;
import io.engram.workflows.memory.DistillationWorkflowImpl;
import io.engram.workflows.memory.IncrementalIngestWorkflowImpl;
import io.engram.workflows.memory.MaintenanceWorkflowImpl;
import io.engram.workflows.memory.PromotionWorkflowImpl;
import io.temporal.worker.Worker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The memory lifecycle: distillation, promotion, maintenance and incremental ingestion on task
 * queue {@code maintenance} (fact extraction also on {@code llm}), and their Temporal Schedules,
 * registered once the worker polls.
 */
public final class MemoryCapability implements Capability {
  private static final Logger log = LoggerFactory.getLogger(MemoryCapability.class);

  @Override
  public void register(WorkerContext context) {
    boolean maintenanceQueue = context.polls(TaskQueues.MAINTENANCE);
    boolean llmQueue = context.polls(TaskQueues.LLM);
    if (!maintenanceQueue && !llmQueue) {
      return;
    }
    CoreServices core = context.core();
    MemorySettings memory = core.settings().memory();
    MemoryMetrics metrics = new MemoryMetrics(context.metrics());
    MemoryMaintenance maintenance = new MemoryMaintenance(core.jdbi(), memory);
    FactExtractor local = new LocalFactExtractor();
    FactExtractor extractor = core.settings().extraction().choose(core.llm(), local);
    log.info("fact extraction: {} ({})", extractor.name(), core.settings().extraction());
    DistillationActivitiesImpl distillation =
        new DistillationActivitiesImpl(
            new Distiller(
                core.jdbi(),
                new EpisodicMemory(core.jdbi(), memory),
                extractor,
                local,
                core.embedder(core.champion().embeddingModel())),
            metrics);
    if (maintenanceQueue) {
      Worker worker = context.queue(TaskQueues.MAINTENANCE);
      worker.registerWorkflowImplementationTypes(
          DistillationWorkflowImpl.class,
          PromotionWorkflowImpl.class,
          MaintenanceWorkflowImpl.class,
          IncrementalIngestWorkflowImpl.class);
      worker.registerActivitiesImplementations(
          distillation,
          new PromotionActivitiesImpl(maintenance, metrics),
          new MaintenanceActivitiesImpl(maintenance, metrics, memory.maintenanceBatchSize()));
    }
    if (llmQueue) {
      context.queue(TaskQueues.LLM).registerActivitiesImplementations(distillation);
    }
  }

  /** Registers the schedules when this worker runs their jobs (polls {@code maintenance}). */
  @Override
  public void started(WorkerContext context) {
    if (!context.polls(TaskQueues.MAINTENANCE)) {
      return;
    }
    new ScheduleRegistrar(context.schedules(), context.core().settings().memory()).register();
  }
}
