package io.engram.core.querylog;

import io.engram.core.db.BatchedChange;
import io.engram.core.drift.QueryFeatures;
import io.engram.core.tenant.Tenant;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.generic.GenericType;
import org.jdbi.v3.core.mapper.RowMapper;

/** The query log ({@code query_log}): one row per answered query. */
public final class QueryLog {

  /**
   * One answered query.
   *
   * @param features what drift detection compares (see {@link QueryFeatures}); null for a turn that
   *     retrieved nothing
   * @param routing the rollout and arm that served it; {@link Routing#NONE} (or null) outside any
   *     rollout
   */
  public record Entry(
      UUID id,
      String collection,
      String sessionId,
      String query,
      String modelVersion,
      String answerMode,
      double latencyMs,
      List<Long> chunkIds,
      List<String> sources,
      QueryFeatures features,
      Routing routing) {

    public Entry {
      routing = routing == null ? Routing.NONE : routing;
    }

    /** The same entry with its drift features. */
    public Entry withFeatures(QueryFeatures f) {
      return new Entry(
          id,
          collection,
          sessionId,
          query,
          modelVersion,
          answerMode,
          latencyMs,
          chunkIds,
          sources,
          f,
          routing);
    }
  }

  /**
   * The rollout a query was served in.
   *
   * @param rolloutId the rollout; null outside one
   * @param arm who served it; null outside a rollout
   * @param teams for an interleaved query, the arm that ranked each source, aligned with the
   *     sources; else null
   */
  public record Routing(Long rolloutId, String arm, List<String> teams) {
    public static final Routing NONE = new Routing(null, null, null);
  }

  /** A logged query's drift features, with the id of its row. */
  public record Featured(UUID id, QueryFeatures features) {}

  private static final String FEATURES =
      "id, query_terms, unknown_term_share, top_dense_score, top_fused_score, score_spread";

  private static final RowMapper<Featured> FEATURED =
      (rs, ctx) ->
          new Featured(
              rs.getObject(1, UUID.class),
              new QueryFeatures(
                  rs.getInt(2),
                  rs.getDouble(3),
                  rs.getObject(4, Double.class),
                  rs.getObject(5, Double.class),
                  rs.getObject(6, Double.class)));

  private static final GenericType<List<String>> TEXT_LIST = new GenericType<>() {};

  private final Jdbi jdbi;

  /** Entries announced by {@link #expect} and not written yet: done when their write ends. */
  private final Map<UUID, CompletableFuture<Void>> writing = new ConcurrentHashMap<>();

  public QueryLog(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /**
   * Announces an entry this process will {@link #record} shortly, off the request path: a caller
   * that finds no row for its id yet (feedback right after the answer) can wait for it, see {@link
   * #awaitWritten}.
   */
  public void expect(UUID id) {
    writing.putIfAbsent(id, new CompletableFuture<>());
  }

  /**
   * Waits, at most {@code timeout}, for the write of an entry this process announced and has not
   * written yet.
   *
   * @return whether such a write was under way and has ended (written or failed)
   */
  public boolean awaitWritten(UUID id, Duration timeout) {
    CompletableFuture<Void> write = writing.get(id);
    if (write == null) {
      return false;
    }
    try {
      write.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | TimeoutException e) {
      return false;
    }
  }

  /** Writes the entry; an announced one is no longer awaited afterwards, written or not. */
  public void record(Entry entry) {
    try {
      insert(entry);
    } finally {
      CompletableFuture<Void> write = writing.remove(entry.id());
      if (write != null) {
        write.complete(null);
      }
    }
  }

  private static final String SESSION_EXISTS =
      "EXISTS (SELECT 1 FROM sessions WHERE id = CAST(:sessionId AS uuid))";

  private void insert(Entry entry) {
    QueryFeatures f = entry.features();
    jdbi.useHandle(
        h ->
            h.createUpdate(
                    "INSERT INTO query_log (id, collection, session_id, query, model_version,"
                        + " answer_mode, latency_ms, top_chunk_ids, top_sources, query_terms,"
                        + " unknown_term_share, top_dense_score, top_fused_score, score_spread,"
                        + " rollout_id, arm, teams)"
                        // A session gone by now (its user forgotten while the question was
                        // answered) takes its link and the question's text with it.
                        + " VALUES (:id, :collection, CASE WHEN "
                        + SESSION_EXISTS
                        + " THEN :sessionId END, CASE WHEN CAST(:sessionId AS text) IS NULL OR "
                        + SESSION_EXISTS
                        + " THEN :query ELSE '' END, :modelVersion,"
                        + " :answerMode, :latencyMs, :chunkIds, :sources, :queryTerms,"
                        + " :unknownTermShare, :topDenseScore, :topFusedScore, :scoreSpread,"
                        + " :rolloutId, :arm, :teams)"
                        + " ON CONFLICT DO NOTHING")
                .bindMethods(entry)
                .bind("rolloutId", entry.routing().rolloutId())
                .bind("arm", entry.routing().arm())
                .bindByType("teams", entry.routing().teams(), TEXT_LIST)
                .bind("queryTerms", f == null ? null : f.queryTerms())
                .bind("unknownTermShare", f == null ? null : f.unknownTermShare())
                .bind("topDenseScore", f == null ? null : f.topDenseScore())
                .bind("topFusedScore", f == null ? null : f.topFusedScore())
                .bind("scoreSpread", f == null ? null : f.scoreSpread())
                .execute());
  }

  /**
   * The first {@code limit} queries of {@code collection} that {@code modelVersion} answered and
   * whose features were logged, oldest first.
   */
  public List<Featured> firstFeatured(String collection, String modelVersion, int limit) {
    return featured(collection, modelVersion, limit, "ASC");
  }

  /**
   * The last {@code limit} queries of {@code collection} that {@code modelVersion} answered and
   * whose features were logged, newest first.
   */
  public List<Featured> lastFeatured(String collection, String modelVersion, int limit) {
    return featured(collection, modelVersion, limit, "DESC");
  }

  private List<Featured> featured(
      String collection, String modelVersion, int limit, String direction) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT "
                        + FEATURES
                        + " FROM query_log WHERE collection = :collection"
                        + " AND model_version = :modelVersion AND query_terms IS NOT NULL"
                        + " ORDER BY created_at "
                        + direction
                        + ", id "
                        + direction
                        + " LIMIT :limit")
                .bind("collection", collection)
                .bind("modelVersion", modelVersion)
                .bind("limit", limit)
                .map(FEATURED)
                .list());
  }

  /**
   * The document sources logged query {@code id} of {@code tenant} returned, in rank order, read in
   * the caller's transaction; empty when no such query was logged, or it was another tenant's.
   */
  static Optional<List<String>> sourcesOf(Handle h, Tenant tenant, UUID id) {
    return h.createQuery("SELECT top_sources FROM query_log WHERE id = :id AND tenant = :tenant")
        .bind("id", id)
        .bind("tenant", tenant.id())
        .mapTo(TEXT_LIST)
        .findOne();
  }

  /** The collections some logged query with features asked, by name. */
  public List<String> collectionsWithFeatures() {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    // A collection being deleted is not checked for drift (nor retrained for it).
                    "SELECT c.name FROM collections c WHERE c.deleting_since IS NULL AND EXISTS"
                        + " (SELECT 1 FROM query_log q WHERE q.collection = c.name"
                        + " AND q.query_terms IS NOT NULL) ORDER BY c.name")
                .mapTo(String.class)
                .list());
  }

  /**
   * Deletes a collection's rows of {@code query_log} ({@link
   * io.engram.core.collection.CollectionDeletion}).
   */
  public static final BatchedChange<String> DELETE_OF_COLLECTION =
      BatchedChange.deleteOfCollection(
          "query_log", "id", "SELECT id FROM query_log WHERE collection = :key");

  /**
   * Anonymizes a tenant's user's rows of {@code query_log} ({@link
   * io.engram.core.memory.UserForgetting}).
   *
   * <p>Anonymizes rather than deletes: the row loses its link to the session and the question's
   * text, and keeps what names nobody (the model version, latency, returned chunks and sources, the
   * rollout arm, the drift features), so drift windows, drift references and rollout comparisons
   * made of it stay as they were. Run after {@link Feedback#ANONYMIZE_OF_USER}, which finds the
   * feedback through the link this removes.
   */
  public static final BatchedChange<BatchedChange.User> ANONYMIZE_OF_USER =
      BatchedChange.anonymizeOfUser(
          "query_log",
          "session_id = NULL, query = ''",
          "id",
          "SELECT id FROM query_log WHERE tenant = :tenant AND session_id IN"
              + " (SELECT id::text FROM sessions WHERE tenant = :tenant AND user_id"
              + " = :userId)");
}
