package io.engram.core.memory;

import io.engram.core.db.BatchedChange;
import java.time.Instant;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** How far each session is distilled ({@code distillation_state}): its watermark turn id. */
public final class DistillationState {
  private final Jdbi jdbi;

  DistillationState(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** The session's watermark (0 before its first batch). */
  long watermark(UUID sessionId) {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT last_turn_id FROM distillation_state WHERE session_id = :session")
                .bind("session", sessionId)
                .mapTo(Long.class)
                .findOne()
                .orElse(0L));
  }

  /**
   * Creates the session's watermark row if needed and locks it for the caller's transaction.
   *
   * @return the watermark
   */
  static long lock(Handle h, UUID sessionId, Instant now) {
    h.createUpdate(
            "INSERT INTO distillation_state (session_id, last_turn_id, updated_at)"
                + " VALUES (:session, 0, :now) ON CONFLICT DO NOTHING")
        .bind("session", sessionId)
        .bind("now", MemorySql.ts(now))
        .execute();
    return h.createQuery(
            "SELECT last_turn_id FROM distillation_state WHERE session_id = :session FOR UPDATE")
        .bind("session", sessionId)
        .mapTo(Long.class)
        .one();
  }

  /** Moves the watermark up to {@code toTurnId} (never down), inside the caller's transaction. */
  static void advance(Handle h, UUID sessionId, long toTurnId, Instant now) {
    h.createUpdate(
            "UPDATE distillation_state SET last_turn_id = greatest(last_turn_id, :toTurnId),"
                + " updated_at = :now WHERE session_id = :session")
        .bind("toTurnId", toTurnId)
        .bind("now", MemorySql.ts(now))
        .bind("session", sessionId)
        .execute();
  }

  /**
   * Deletes a collection's rows of {@code distillation_state} ({@link
   * io.engram.core.collection.CollectionDeletion}).
   */
  public static final BatchedChange<String> DELETE_OF_COLLECTION =
      BatchedChange.deleteOfCollection(
          "distillation_state",
          "session_id",
          "SELECT d.session_id FROM sessions s JOIN distillation_state d ON"
              + " d.session_id = s.id WHERE s.collection = :key");

  /** Deletes a tenant's user's rows of {@code distillation_state} ({@link UserForgetting}). */
  public static final BatchedChange<BatchedChange.User> DELETE_OF_USER =
      BatchedChange.deleteOfUser(
          "distillation_state",
          "session_id",
          "SELECT d.session_id FROM sessions s JOIN distillation_state d ON"
              + " d.session_id = s.id WHERE s.tenant = :tenant AND s.user_id ="
              + " :userId");
}
