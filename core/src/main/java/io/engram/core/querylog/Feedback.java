package io.engram.core.querylog;

import io.engram.core.db.BatchedChange;
import io.engram.core.tenant.Tenant;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/** Feedback given on logged queries ({@code feedback}). */
public final class Feedback {
  /**
   * How long feedback waits for its query's row when this process is still writing it: the answer
   * returns before its query is logged, and a client may rate it at once.
   */
  static final Duration LOG_WAIT = Duration.ofSeconds(5);

  private final Jdbi jdbi;
  private final QueryLog queryLog;

  /**
   * @param queryLog where this process logs the queries it answers
   */
  public Feedback(Jdbi jdbi, QueryLog queryLog) {
    this.jdbi = jdbi;
    this.queryLog = queryLog;
  }

  /**
   * Stores feedback on a query {@code tenant} asked; empty when no such query was logged, or it was
   * another tenant's. A query this process answered but has not logged yet is waited for (at most
   * {@link #LOG_WAIT}).
   *
   * @param rating -1 (bad), 0 (neutral) or 1 (good)
   * @return the feedback's id
   */
  public Optional<Long> record(
      Tenant tenant, UUID queryId, int rating, String source, String comment) {
    Optional<Long> stored = insert(tenant, queryId, rating, source, comment);
    if (stored.isEmpty() && queryLog.awaitWritten(queryId, LOG_WAIT)) {
      stored = insert(tenant, queryId, rating, source, comment);
    }
    return stored;
  }

  /**
   * A rating names a source its query did not return: a click on it would count for neither arm of
   * a rollout's comparison, and a training signal about nothing that was shown.
   */
  public static final class UnknownSourceException extends RuntimeException {
    public UnknownSourceException(String message) {
      super(message);
    }
  }

  private Optional<Long> insert(
      Tenant tenant, UUID queryId, int rating, String source, String comment) {
    return jdbi.inTransaction(
        h -> {
          Optional<List<String>> returned = QueryLog.sourcesOf(h, tenant, queryId);
          if (returned.isEmpty()) {
            return Optional.empty();
          }
          if (source != null && !returned.get().contains(source)) {
            throw new UnknownSourceException(
                source.startsWith("memory:")
                    ? "is a remembered fact, which is not rated by source: rate the answer (leave"
                        + " source out)"
                    : "is not a document this query returned: give one of its sources' \"source\""
                        + " (a document), or leave it out to rate the answer");
          }
          return h.createQuery(
                  "INSERT INTO feedback (query_id, rating, source, comment)"
                      // No comment on a query anonymized with its user's memory (its text
                      // is gone): the rating stays, the words the user added do not.
                      + " SELECT id, :rating, :source, CASE WHEN query = '' THEN NULL ELSE"
                      + " :comment END FROM query_log"
                      + " WHERE id = :queryId AND tenant = :tenant RETURNING id")
              .bind("tenant", tenant.id())
              .bind("rating", rating)
              .bind("source", source)
              .bind("comment", comment)
              .bind("queryId", queryId)
              .mapTo(Long.class)
              .findOne();
        });
  }

  /** Feedback rows given on the collection's logged queries after {@code after}. */
  public long since(String collection, Instant after) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT count(*) FROM feedback f JOIN query_log q ON q.id = f.query_id"
                        + " WHERE q.collection = :collection AND f.created_at > :after")
                .bind("collection", collection)
                .bind("after", after)
                .mapTo(Long.class)
                .one());
  }

  /**
   * Deletes a collection's rows of {@code feedback} ({@link
   * io.engram.core.collection.CollectionDeletion}).
   */
  public static final BatchedChange<String> DELETE_OF_COLLECTION =
      BatchedChange.deleteOfCollection(
          "feedback",
          "id",
          "SELECT f.id FROM query_log q JOIN feedback f ON f.query_id = q.id"
              + " WHERE q.collection = :key");

  /**
   * Anonymizes a tenant's user's rows of {@code feedback} ({@link
   * io.engram.core.memory.UserForgetting}).
   *
   * <p>Anonymizes rather than deletes: the comment, the user's own words, goes; the rating and the
   * source it is about stay, which retraining and rollout comparisons count.
   */
  public static final BatchedChange<BatchedChange.User> ANONYMIZE_OF_USER =
      BatchedChange.anonymizeOfUser(
          "feedback",
          "comment = NULL",
          "id",
          "SELECT f.id FROM query_log q JOIN feedback f ON f.query_id = q.id"
              + " WHERE q.tenant = :tenant AND q.session_id IN (SELECT id::text"
              + " FROM sessions WHERE tenant = :tenant AND user_id = :userId) AND"
              + " f.comment IS NOT NULL");
}
