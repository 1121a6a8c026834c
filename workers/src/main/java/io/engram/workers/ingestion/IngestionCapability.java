package io.engram.workers.ingestion;

import io.engram.activities.ingestion.IngestionActivitiesImpl;
import io.engram.activities.ingestion.IngestionMetrics;
import io.engram.core.CoreServices;
import io.engram.core.ingestion.DocumentReader;
import io.engram.core.ingestion.IngestionService;
import io.engram.core.ingestion.IngestionValidation;
import io.engram.workers.Capability;
import io.engram.workers.WorkerContext;
import io.engram.workflows.common.TaskQueues;
import io.engram.workflows.ingestion.IngestionWorkflowImpl;
import io.temporal.worker.Worker;

/** Ingestion: the {@code IngestionWorkflow} and its activities on task queue {@code ingest}. */
public final class IngestionCapability implements Capability {

  @Override
  public void register(WorkerContext context) {
    if (!context.polls(TaskQueues.INGEST)) {
      return;
    }
    CoreServices core = context.core();
    IngestionService ingestion =
        new IngestionService(
            core.jdbi(),
            core.indexVersions(),
            core.blobs(),
            new DocumentReader(core.settings().ingestion().maxDocumentBytes()),
            core::embedder,
            // A new collection's version 1 is registered as soon as it has documents, over the
            // index its first ingestion wrote (its chunking), so it serves (and can be retrained
            // from) a registered bundle at once.
            (collection, index) -> core.registry().first(collection, index, core.defaultBundle()),
            // New documents go to the index the collection's serving version searches, and
            // reach the others it can serve from (a rollout's candidate, staging, previous).
            core.liveIndexes());
    Worker worker = context.queue(TaskQueues.INGEST);
    worker.registerWorkflowImplementationTypes(IngestionWorkflowImpl.class);
    worker.registerActivitiesImplementations(
        new IngestionActivitiesImpl(
            ingestion,
            new IngestionValidation(core.jdbi(), core.indexVersions(), core.chunks()),
            new IngestionMetrics(context.metrics())));
  }
}
