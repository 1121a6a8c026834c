package io.engram.activities.memory;

import io.engram.core.memory.MemoryMaintenance;
import io.engram.core.memory.MemorySettings;
import io.engram.workflows.memory.PromotionActivities;
import io.engram.workflows.memory.PromotionBatch;
import io.engram.workflows.memory.PromotionBatchResult;
import java.time.Duration;
import java.time.Instant;

/** Thin adapter from {@link PromotionActivities} to {@link MemoryMaintenance#promoteBatch}. */
public class PromotionActivitiesImpl implements PromotionActivities {
  private final MemoryMaintenance maintenance;
  private final MemoryMetrics metrics;

  public PromotionActivitiesImpl(MemoryMaintenance maintenance, MemoryMetrics metrics) {
    this.maintenance = maintenance;
    this.metrics = metrics;
  }

  @Override
  public PromotionBatchResult promoteBatch(PromotionBatch batch) {
    MemoryMaintenance.PromotionOutcome outcome =
        maintenance.promoteBatch(
            batch.runKey(),
            batch.batchNo(),
            batch.afterId(),
            new MemorySettings.Promotion(
                batch.minSalience(),
                batch.minCitations(),
                Duration.ofMillis(Math.max(1, batch.minAgeMillis())),
                batch.batchSize()),
            Instant.ofEpochMilli(batch.nowMillis()),
            batch.dryRun());
    if (!outcome.replayed()) {
      metrics.facts("promoted", outcome.semanticIds().size());
    }
    return new PromotionBatchResult(
        outcome.episodicIds(),
        outcome.semanticIds(),
        outcome.lastId(),
        outcome.more(),
        outcome.replayed());
  }
}
