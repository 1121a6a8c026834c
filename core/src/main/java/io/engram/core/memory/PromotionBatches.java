package io.engram.core.memory;

import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * The committed batches of promotion runs ({@code promotion_batches}), keyed by (run, batch
 * number), so a batch run again returns its record instead of promoting anything twice.
 */
final class PromotionBatches {
  private PromotionBatches() {}

  /** The record of batch {@code batchNo} of the run, if it was committed, marked as replayed. */
  static Optional<MemoryMaintenance.PromotionOutcome> recorded(
      Handle h, String runId, int batchNo) {
    return h.createQuery(
            "SELECT episodic_ids, semantic_ids, last_id, more FROM promotion_batches"
                + " WHERE run_id = :runId AND batch_no = :batchNo")
        .bind("runId", runId)
        .bind("batchNo", batchNo)
        .map(
            (rs, ctx) ->
                new MemoryMaintenance.PromotionOutcome(
                    MemorySql.longs(rs.getArray(1)),
                    MemorySql.longs(rs.getArray(2)),
                    rs.getLong(3),
                    rs.getBoolean(4),
                    true))
        .findOne();
  }

  /** Records a batch inside the transaction that promoted its facts. */
  static void record(
      Handle h,
      String runId,
      int batchNo,
      MemoryMaintenance.PromotionOutcome outcome,
      Instant now) {
    h.createUpdate(
            "INSERT INTO promotion_batches (run_id, batch_no, episodic_ids, semantic_ids,"
                + " last_id, more, created_at) VALUES (:runId, :batchNo, :episodicIds,"
                + " :semanticIds, :lastId, :more, :now)")
        .bind("runId", runId)
        .bind("batchNo", batchNo)
        .bindArray("episodicIds", Long.class, outcome.episodicIds())
        .bindArray("semanticIds", Long.class, outcome.semanticIds())
        .bind("lastId", outcome.lastId())
        .bind("more", outcome.more())
        .bind("now", MemorySql.ts(now))
        .execute();
  }
}
