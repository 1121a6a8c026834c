package io.engram.workflows.memory;

import io.engram.contract.Memory.PromotionOutcome;
import io.engram.workflows.common.ActivityStubs;
import io.engram.workflows.common.EngramSearchAttributes;
import io.engram.workflows.common.RetryPolicies;
import io.temporal.common.RetryOptions;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Flushes buffered citations (so the scan sees every citation), then promotes batch after batch
 * until a batch comes back short. All batches of a run judge age and salience at the run's start
 * time. After {@link #MAX_BATCHES_PER_RUN} batches the run continues as new with its cursor.
 */
public class PromotionWorkflowImpl implements PromotionWorkflow {
  static final int MAX_BATCHES_PER_RUN = 200;

  /** The most episodic and semantic ids a result lists, each. */
  static final int MAX_IDS = 1000;

  private static final RetryOptions RETRY = RetryPolicies.standard();

  private final PromotionActivities promotion =
      ActivityStubs.stub(PromotionActivities.class, Duration.ofMinutes(2), RETRY);

  private final MaintenanceActivities maintenance =
      ActivityStubs.heartbeating(
          MaintenanceActivities.class, Duration.ofMinutes(10), Duration.ofMinutes(1), RETRY);

  private String runKey;
  private boolean dryRun;
  private String phase = "flushing";
  private long citationsFlushed;
  private int batches;
  private long promoted;
  private final List<Long> episodicIds = new ArrayList<>();
  private final List<Long> semanticIds = new ArrayList<>();

  @Override
  public PromotionOutcome promote(PromotionRequest request) {
    dryRun = request.dryRun();
    WorkflowInfo info = Workflow.getInfo();
    PromotionCursor cursor = request.resume();
    long startedAt;
    int batchNo;
    long afterId;
    if (cursor == null) {
      runKey = info.getWorkflowId() + "/" + info.getRunId();
      startedAt = Workflow.currentTimeMillis();
      batchNo = 0;
      afterId = 0;
      Workflow.upsertTypedSearchAttributes(
          EngramSearchAttributes.JOB_TYPE.valueSet(MemoryJobs.PROMOTION),
          EngramSearchAttributes.BATCH.valueSet(MemoryJobs.batchLabel(startedAt)));
      if (!dryRun) {
        citationsFlushed = maintenance.flushCitations(startedAt).citations();
      }
    } else {
      runKey = cursor.runKey();
      startedAt = cursor.startedAtMillis();
      batchNo = cursor.nextBatch();
      afterId = cursor.afterId();
      restore(cursor.soFar());
    }

    phase = "promoting";
    int batchesThisRun = 0;
    while (true) {
      PromotionBatchResult batch =
          promotion.promoteBatch(
              new PromotionBatch(
                  runKey,
                  batchNo,
                  afterId,
                  request.minSalience(),
                  request.minCitations(),
                  request.minAge().toMillis(),
                  request.batchSize(),
                  startedAt,
                  dryRun));
      batches++;
      batchNo++;
      batchesThisRun++;
      promoted += batch.episodicIds().size();
      addCapped(episodicIds, batch.episodicIds());
      addCapped(semanticIds, batch.semanticIds());
      afterId = batch.lastId();
      Workflow.setCurrentDetails(
          (dryRun ? "dry run, " : "")
              + "batch "
              + batchNo
              + ": "
              + promoted
              + (dryRun ? " facts would be promoted" : " facts promoted"));
      if (!batch.more()) {
        break;
      }
      if (batchesThisRun >= MAX_BATCHES_PER_RUN) {
        Workflow.continueAsNew(
            request.resumingAt(
                new PromotionCursor(runKey, batchNo, afterId, startedAt, progress())));
      }
    }
    phase = "done";
    return progress();
  }

  @Override
  public PromotionOutcome progress() {
    return new PromotionOutcome(
        runKey,
        dryRun,
        phase,
        citationsFlushed,
        batches,
        promoted,
        List.copyOf(episodicIds),
        List.copyOf(semanticIds));
  }

  private void restore(PromotionOutcome soFar) {
    citationsFlushed = soFar.citationsFlushed();
    batches = soFar.batches();
    promoted = soFar.promoted();
    episodicIds.addAll(soFar.episodicIds());
    semanticIds.addAll(soFar.semanticIds());
  }

  private static void addCapped(List<Long> target, List<Long> ids) {
    for (Long id : ids) {
      if (target.size() >= MAX_IDS) {
        return;
      }
      target.add(id);
    }
  }
}
