package io.engram.core.rollout;

import io.engram.core.db.BatchedChange;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The audit of rollouts ({@code rollout_events}): every phase change, signal, failed check,
 * decision and undo, with who and why. The one class that writes it.
 */
public final class RolloutEvents {
  public static final String PHASE = "phase";
  public static final String SIGNAL = "signal";
  public static final String CHECK = "check";
  public static final String DECISION = "decision";
  public static final String UNDO = "undo";

  /**
   * One event.
   *
   * @param figures the figures it was decided on, as JSON; null when none
   */
  public record Event(
      String kind, String phase, String detail, String actor, String figures, Instant at) {}

  private final Jdbi jdbi;

  public RolloutEvents(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /**
   * Records an event; with a {@code key} (a workflow run and activity id) a retried activity
   * records it once.
   */
  static void record(
      Handle h,
      long rolloutId,
      String kind,
      String phase,
      String detail,
      String actor,
      String figures,
      String key) {
    h.createUpdate(
            "INSERT INTO rollout_events (rollout_id, kind, phase, detail, actor, figures,"
                + " event_key) VALUES (:rollout, :kind, :phase, :detail, :actor,"
                + " CAST(:figures AS jsonb), :key) ON CONFLICT (event_key) DO NOTHING")
        .bind("rollout", rolloutId)
        .bind("kind", kind)
        .bind("phase", phase)
        .bind("detail", detail)
        .bind("actor", actor)
        .bind("figures", figures)
        .bind("key", key)
        .execute();
  }

  /** The rollout's events, oldest first. */
  public List<Event> list(long rolloutId) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT kind, phase, detail, actor, figures::text, at FROM rollout_events"
                        + " WHERE rollout_id = :rollout ORDER BY at, id")
                .bind("rollout", rolloutId)
                .map(
                    (rs, ctx) ->
                        new Event(
                            rs.getString(1),
                            rs.getString(2),
                            rs.getString(3),
                            rs.getString(4),
                            rs.getString(5),
                            rs.getObject(6, OffsetDateTime.class).toInstant()))
                .list());
  }

  /** How many events of {@code kind} the rollout has. */
  public long count(long rolloutId, String kind) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT count(*) FROM rollout_events WHERE rollout_id = :rollout AND kind = :kind")
                .bind("rollout", rolloutId)
                .bind("kind", kind)
                .mapTo(Long.class)
                .one());
  }

  /**
   * Deletes a collection's rows of {@code rollout_events} ({@link
   * io.engram.core.collection.CollectionDeletion}).
   */
  public static final BatchedChange<String> DELETE_OF_COLLECTION =
      BatchedChange.deleteOfCollection(
          "rollout_events",
          "id",
          "SELECT e.id FROM rollouts r JOIN rollout_events e ON e.rollout_id"
              + " = r.id WHERE r.collection = :key");
}
