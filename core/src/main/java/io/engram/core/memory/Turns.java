package io.engram.core.memory;

import io.engram.core.db.BatchedChange;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;

/**
 * The turns of conversation sessions ({@code turns}): working memory, kept until distillation has
 * taken them and no fact names them as its source.
 */
public final class Turns {
  /**
   * The tail of every release: only turns the distillation watermark has passed, and none a stored
   * fact names as its source (the lineage stays resolvable).
   */
  private static final String RELEASABLE =
      " AND t.id <= coalesce((SELECT last_turn_id FROM distillation_state d"
          + "   WHERE d.session_id = t.session_id), 0)"
          + " AND NOT EXISTS (SELECT 1 FROM episodic_facts e"
          + "   WHERE e.source_turn_ids @> ARRAY[t.id])"
          + " AND NOT EXISTS (SELECT 1 FROM semantic_facts s"
          + "   WHERE s.source_turn_ids @> ARRAY[t.id])";

  private final Jdbi jdbi;

  Turns(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** A question, how it was understood, and its answer with the sources it cites. */
  record Exchange(
      String question, String intent, String rewrittenQuery, String answer, List<String> sources) {}

  /**
   * Appends an exchange as two turns, the user's and the assistant's, inside the caller's
   * transaction.
   */
  static void append(Handle h, UUID sessionId, Exchange exchange) {
    h.prepareBatch(
            "INSERT INTO turns (session_id, role, text, intent, rewritten_query, sources)"
                + " VALUES (:session, :role, :text, :intent, :rewritten, :sources)")
        .bind("session", sessionId)
        .bind("role", "user")
        .bind("text", exchange.question())
        .bind("intent", exchange.intent())
        .bind("rewritten", exchange.rewrittenQuery())
        .bindArray("sources", String.class, List.of())
        .add()
        .bind("session", sessionId)
        .bind("role", "assistant")
        .bind("text", exchange.answer())
        .bind("intent", (String) null)
        .bind("rewritten", (String) null)
        .bindArray("sources", String.class, exchange.sources())
        .add()
        .execute();
  }

  /** The last {@code n} turns of a session, oldest first. */
  List<WorkingMemory.Turn> recent(UUID sessionId, int n) {
    List<WorkingMemory.Turn> turns =
        new ArrayList<>(
            jdbi.withHandle(
                h ->
                    h.createQuery(
                            "SELECT role, text, intent, rewritten_query, sources FROM turns"
                                + " WHERE session_id = :session ORDER BY id DESC LIMIT :n")
                        .bind("session", sessionId)
                        .bind("n", n)
                        .map(ConstructorMapper.of(WorkingMemory.Turn.class))
                        .list()));
    Collections.reverse(turns);
    return turns;
  }

  /** The session's exchange count and newest turn id (zeros for a session without turns). */
  WorkingMemory.Progress progress(UUID sessionId) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT count(*) FILTER (WHERE role = 'user'), coalesce(max(id), 0) FROM turns"
                        + " WHERE session_id = :session")
                .bind("session", sessionId)
                .map((rs, ctx) -> new WorkingMemory.Progress(rs.getLong(1), rs.getLong(2)))
                .one());
  }

  /** The ids of the session's turns after its distillation watermark, oldest first. */
  List<Long> undistilled(UUID sessionId, int limit) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT id FROM turns WHERE session_id = :session AND id > coalesce("
                        + "(SELECT last_turn_id FROM distillation_state WHERE session_id = :session),"
                        + " 0) ORDER BY id LIMIT :limit")
                .bind("session", sessionId)
                .bind("limit", limit)
                .mapTo(Long.class)
                .list());
  }

  /** The session's turns among {@code ids}, oldest first. */
  List<FactExtractor.Turn> byIds(UUID sessionId, List<Long> ids) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT id, role, text FROM turns WHERE session_id = :session"
                        + " AND id = ANY (:ids) ORDER BY id")
                .bind("session", sessionId)
                .bindArray("ids", Long.class, ids)
                .map(
                    (rs, ctx) ->
                        new FactExtractor.Turn(rs.getLong(1), rs.getString(2), rs.getString(3)))
                .list());
  }

  /**
   * Deletes the session's releasable turns (see {@link #RELEASABLE}), inside the caller's
   * transaction.
   *
   * @return how many were deleted
   */
  static long releaseOf(Handle h, UUID sessionId) {
    return h.createUpdate("DELETE FROM turns t WHERE t.session_id = :session" + RELEASABLE)
        .bind("session", sessionId)
        .execute();
  }

  /**
   * Deletes up to {@code limit} releasable turns of closed sessions, oldest first. The limit counts
   * releasable turns only: turns a fact still names stay behind for good (a promoted fact never
   * expires), and a limit over all turns would soon meet nothing but those and release no more.
   *
   * @return how many were deleted
   */
  long releaseOfClosedSessions(int limit) {
    return jdbi.withHandle(
        h ->
            h.createUpdate(
                    "DELETE FROM turns WHERE id IN (SELECT t.id FROM turns t"
                        + " JOIN sessions s ON s.id = t.session_id"
                        + " WHERE s.closed_at IS NOT NULL"
                        + RELEASABLE
                        + " ORDER BY t.id LIMIT :limit)")
                .bind("limit", limit)
                .execute());
  }

  /** Turns held in working memory. */
  static long count(Handle h) {
    return h.createQuery("SELECT count(*) FROM turns").mapTo(Long.class).one();
  }

  /**
   * Deletes a collection's rows of {@code turns} ({@link
   * io.engram.core.collection.CollectionDeletion}).
   */
  public static final BatchedChange<String> DELETE_OF_COLLECTION =
      BatchedChange.deleteOfCollection(
          "turns",
          "id",
          "SELECT t.id FROM sessions s JOIN turns t ON t.session_id = s.id"
              + " WHERE s.collection = :key");

  /** Deletes a tenant's user's rows of {@code turns} ({@link UserForgetting}). */
  public static final BatchedChange<BatchedChange.User> DELETE_OF_USER =
      BatchedChange.deleteOfUser(
          "turns",
          "id",
          "SELECT t.id FROM sessions s JOIN turns t ON t.session_id = s.id"
              + " WHERE s.tenant = :tenant AND s.user_id = :userId");
}
