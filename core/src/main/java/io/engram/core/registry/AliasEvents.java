package io.engram.core.registry;

import io.engram.core.db.BatchedChange;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The audit of alias moves ({@code model_alias_events}): the one class that reads and writes it.
 */
public final class AliasEvents {

  /**
   * One move: {@code alias} went from version {@code from} (null: unset) to {@code to} (null:
   * removed).
   */
  public record Event(
      String collection,
      String alias,
      Integer from,
      Integer to,
      String actor,
      String reason,
      String workflowId,
      Instant at) {}

  private final Jdbi jdbi;

  public AliasEvents(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  static void record(Handle h, Event e) {
    h.createUpdate(
            "INSERT INTO model_alias_events (collection, alias, from_version, to_version, actor,"
                + " reason, workflow_id) VALUES (:collection, :alias, :from, :to, :actor, :reason,"
                + " :workflowId)")
        .bind("collection", e.collection())
        .bind("alias", e.alias())
        .bind("from", e.from())
        .bind("to", e.to())
        .bind("actor", e.actor())
        .bind("reason", e.reason())
        .bind("workflowId", e.workflowId())
        .execute();
  }

  /**
   * Whether {@code alias} of {@code collection} has ever pointed at {@code version}, by the audit
   * (a move to it or from it), read in the caller's transaction.
   */
  static boolean everPointedAt(Handle h, String collection, String alias, int version) {
    return h.createQuery(
            "SELECT EXISTS (SELECT 1 FROM model_alias_events WHERE collection = :collection"
                + " AND alias = :alias AND (to_version = :version OR from_version = :version))")
        .bind("collection", collection)
        .bind("alias", alias)
        .bind("version", version)
        .mapTo(Boolean.class)
        .one();
  }

  /** The collection's moves, newest first. */
  public List<Event> list(String collection, int limit) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT collection, alias, from_version, to_version, actor, reason, workflow_id,"
                        + " at FROM model_alias_events WHERE collection = :collection ORDER BY at"
                        + " DESC, id DESC LIMIT :limit")
                .bind("collection", collection)
                .bind("limit", limit)
                .map(
                    (rs, ctx) ->
                        new Event(
                            rs.getString(1),
                            rs.getString(2),
                            (Integer) rs.getObject(3),
                            (Integer) rs.getObject(4),
                            rs.getString(5),
                            rs.getString(6),
                            rs.getString(7),
                            rs.getTimestamp(8).toInstant()))
                .list());
  }

  /**
   * Deletes a collection's rows of {@code model_alias_events} ({@link
   * io.engram.core.collection.CollectionDeletion}).
   */
  public static final BatchedChange<String> DELETE_OF_COLLECTION =
      BatchedChange.deleteOfCollection(
          "model_alias_events", "id", "SELECT id FROM model_alias_events WHERE collection = :key");
}
