package io.engram.workflows.ingestion;

import io.engram.workflows.common.ActivityStubs;
import io.engram.workflows.common.FailureTypes;
import io.engram.workflows.common.ParallelBatches;
import io.engram.workflows.common.RetryPolicies;
import io.temporal.common.RetryOptions;
import io.temporal.workflow.Async;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Discover, then process the pending items in batches with bounded parallelism. Only counts, ids
 * and short error records cross the history; document text and vectors stay in PostgreSQL.
 */
public class IngestionWorkflowImpl implements IngestionWorkflow {
  /** Documents per activity: a batch embeds in seconds, so progress is fine-grained. */
  static final int BATCH_SIZE = 32;

  /**
   * Batches in flight. ONNX Runtime already uses both cores per call, so two batches overlap one
   * batch's parsing and database writes with the other's embedding without oversubscribing.
   */
  static final int MAX_PARALLEL_BATCHES = 2;

  private static final RetryOptions RETRY = RetryPolicies.standard(FailureTypes.INVALID_SOURCE);

  private final IngestionActivities discovery =
      ActivityStubs.heartbeating(
          IngestionActivities.class, Duration.ofMinutes(30), Duration.ofMinutes(1), RETRY);

  private final IngestionActivities batches =
      ActivityStubs.heartbeating(
          IngestionActivities.class, Duration.ofMinutes(30), ActivityStubs.BATCH_HEARTBEAT, RETRY);

  private String phase = "discovering";
  private int total;
  private int done;
  private int skipped;
  private int failed;
  private int tombstoned;
  private long chunks;
  private int indexVersionId;
  private final List<DocumentError> errors = new ArrayList<>();
  private List<String> tombstonedSample = List.of();

  @Override
  public IngestionProgress ingest(IngestionRequest request) {
    String runId = Workflow.getInfo().getRunId();
    DiscoveryResult found = discovery.discover(runId, request);
    total = found.total();
    skipped = found.skipped();
    tombstoned = found.tombstoned();
    tombstonedSample = found.tombstonedSample();
    indexVersionId = found.indexVersionId();

    phase = "embedding";
    ParallelBatches.run(
        found.pending(),
        BATCH_SIZE,
        MAX_PARALLEL_BATCHES,
        (from, to) -> Async.function(batches::processBatch, runId, from, to),
        this::count);
    phase = "done";
    return progress();
  }

  private void count(BatchResult result) {
    done += result.done();
    failed += result.failed();
    chunks += result.chunks();
    for (DocumentError error : result.errors()) {
      if (errors.size() < MAX_ERRORS) {
        errors.add(error);
      }
    }
  }

  @Override
  public IngestionProgress progress() {
    return new IngestionProgress(
        phase,
        total,
        done,
        skipped,
        failed,
        tombstoned,
        chunks,
        List.copyOf(errors),
        tombstonedSample,
        indexVersionId);
  }
}
