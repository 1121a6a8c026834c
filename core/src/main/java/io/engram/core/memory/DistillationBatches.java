package io.engram.core.memory;

import io.engram.core.db.BatchedChange;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * The distilled batches of each session ({@code distillation_batches}), keyed by (session, last
 * turn): what a batch stored, or why it failed, so distilling it again returns the record.
 */
public final class DistillationBatches {
  private DistillationBatches() {}

  /** The recorded outcome of the batch ending at {@code toTurnId}, if it was distilled. */
  static Optional<Distiller.Outcome> recorded(Handle h, UUID sessionId, long toTurnId) {
    return h.createQuery(
            "SELECT status, extractor, stored_ids, merged_ids, superseded_ids"
                + " FROM distillation_batches WHERE session_id = :session AND to_turn_id = :to")
        .bind("session", sessionId)
        .bind("to", toTurnId)
        .map(
            (rs, ctx) ->
                new Distiller.Outcome(
                    toTurnId,
                    MemorySql.longs(rs.getArray(3)),
                    MemorySql.longs(rs.getArray(4)),
                    MemorySql.longs(rs.getArray(5)),
                    rs.getString(1).equals("failed") ? "failed" : rs.getString(2),
                    true))
        .findOne();
  }

  /** Records a distilled batch, inside the transaction that stored its facts. */
  static void recordDone(
      Handle h,
      UUID sessionId,
      List<Long> turnIds,
      String extractor,
      EpisodicMemory.StoreResult result,
      Instant now) {
    h.createUpdate(
            "INSERT INTO distillation_batches (session_id, to_turn_id, turn_ids, status,"
                + " extractor, stored_ids, merged_ids, superseded_ids, created_at)"
                + " VALUES (:session, :to, :turnIds, 'done', :extractor, :stored, :merged,"
                + " :superseded, :now)")
        .bind("session", sessionId)
        .bind("to", last(turnIds))
        .bindArray("turnIds", Long.class, turnIds)
        .bind("extractor", extractor)
        .bindArray("stored", Long.class, result.storedIds())
        .bindArray("merged", Long.class, result.mergedIds())
        .bindArray("superseded", Long.class, result.supersededIds())
        .bind("now", MemorySql.ts(now))
        .execute();
  }

  /**
   * Records a batch that could not be distilled, inside the caller's transaction; a batch recorded
   * before stays as it was.
   */
  static void recordFailed(
      Handle h, UUID sessionId, List<Long> turnIds, String reason, Instant now) {
    h.createUpdate(
            "INSERT INTO distillation_batches (session_id, to_turn_id, turn_ids, status, error,"
                + " created_at) VALUES (:session, :to, :turnIds, 'failed', :error, :now)"
                + " ON CONFLICT DO NOTHING")
        .bind("session", sessionId)
        .bind("to", last(turnIds))
        .bindArray("turnIds", Long.class, turnIds)
        .bind("error", reason == null ? null : reason.substring(0, Math.min(1000, reason.length())))
        .bind("now", MemorySql.ts(now))
        .execute();
  }

  /** A batch is keyed by its last turn. */
  private static long last(List<Long> turnIds) {
    return java.util.Collections.max(turnIds);
  }

  /**
   * Deletes a collection's rows of {@code distillation_batches} ({@link
   * io.engram.core.collection.CollectionDeletion}).
   */
  public static final BatchedChange<String> DELETE_OF_COLLECTION =
      BatchedChange.deleteOfCollection(
          "distillation_batches",
          "session_id, to_turn_id",
          "SELECT b.session_id, b.to_turn_id FROM sessions s JOIN"
              + " distillation_batches b ON b.session_id = s.id WHERE s.collection"
              + " = :key");

  /** Deletes a tenant's user's rows of {@code distillation_batches} ({@link UserForgetting}). */
  public static final BatchedChange<BatchedChange.User> DELETE_OF_USER =
      BatchedChange.deleteOfUser(
          "distillation_batches",
          "session_id, to_turn_id",
          "SELECT b.session_id, b.to_turn_id FROM sessions s JOIN"
              + " distillation_batches b ON b.session_id = s.id WHERE s.tenant ="
              + " :tenant AND s.user_id = :userId");
}
