package io.engram.core.memory;

import io.engram.core.db.BatchedChange;
import io.engram.core.tenant.Tenant;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Conversation sessions ({@code sessions}): whose they are, where they ask, and when they close. A
 * session is bound at creation to its collection, and so to that collection's tenant, and to its
 * user; neither changes afterwards.
 */
public final class Sessions {
  private final Jdbi jdbi;

  Sessions(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  UUID create(String collection, String userId) {
    UUID id = UUID.randomUUID();
    jdbi.useHandle(
        h ->
            h.createUpdate(
                    "INSERT INTO sessions (id, collection, user_id)"
                        + " VALUES (:id, :collection, :userId)")
                .bind("id", id)
                .bind("collection", collection)
                .bind("userId", userId)
                .execute());
    return id;
  }

  /**
   * The session's collection key, if the session is {@code tenant}'s and open. A session id comes
   * from a caller, so the lookup that finds it is the one that checks whose it is: another tenant's
   * session is as absent as one that never existed.
   */
  Optional<String> openCollection(Tenant tenant, UUID id) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT collection FROM sessions"
                        + " WHERE id = :id AND tenant = :tenant AND closed_at IS NULL")
                .bind("id", id)
                .bind("tenant", tenant.id())
                .mapTo(String.class)
                .findOne());
  }

  /** Whose memory the session's turns go to, if the session exists (open or closed). */
  Optional<MemoryScope> scope(UUID id) {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT collection, user_id FROM sessions WHERE id = :id")
                .bind("id", id)
                .map((rs, ctx) -> new MemoryScope(id, rs.getString(2), rs.getString(1)))
                .findOne());
  }

  /** Open sessions inactive since before {@code now - idle}, longest idle first. */
  List<UUID> idle(Instant now, Duration idle, int limit) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT id FROM sessions WHERE closed_at IS NULL AND last_active_at < :since"
                        + " ORDER BY last_active_at LIMIT :limit")
                .bind("since", MemorySql.ts(now.minus(idle)))
                .bind("limit", limit)
                .mapTo(UUID.class)
                .list());
  }

  /**
   * Open sessions inactive since before {@code now - idle} that come strictly after {@code after}
   * in the order of {@code (last_active_at, id)}, at most {@code limit}, in that order; from the
   * first when {@code after} is null. The id breaks ties of {@code last_active_at}, so the order is
   * total and paging with the last session of a page as the next {@code after} sees each session
   * once, whatever another page left open.
   */
  List<IdleSession> idleAfter(Instant now, Duration idle, int limit, IdleSession after) {
    String sql =
        "SELECT id, last_active_at FROM sessions WHERE closed_at IS NULL AND last_active_at < :since"
            // The first condition lets the partial index on last_active_at find the start.
            + (after == null
                ? ""
                : " AND last_active_at >= :afterAt AND (last_active_at, id) > (:afterAt, :afterId)")
            + " ORDER BY last_active_at, id LIMIT :limit";
    return jdbi.withHandle(
        h -> {
          var query =
              h.createQuery(sql).bind("since", MemorySql.ts(now.minus(idle))).bind("limit", limit);
          if (after != null) {
            query.bind("afterAt", MemorySql.ts(after.lastActiveAt())).bind("afterId", after.id());
          }
          return query
              .map(
                  (rs, ctx) ->
                      new IdleSession(
                          rs.getObject(1, UUID.class),
                          rs.getObject(2, OffsetDateTime.class).toInstant()))
              .list();
        });
  }

  /** Notes activity in the session, inside the transaction that appended its turns. */
  static void touch(Handle h, UUID id) {
    h.createUpdate("UPDATE sessions SET last_active_at = now() WHERE id = :id")
        .bind("id", id)
        .execute();
  }

  /**
   * Closes the session at {@code now}, inside the caller's transaction.
   *
   * @return false when it was closed already
   */
  static boolean close(Handle h, UUID id, Instant now) {
    return h.createUpdate(
                "UPDATE sessions SET closed_at = :now WHERE id = :id AND closed_at IS NULL")
            .bind("now", MemorySql.ts(now))
            .bind("id", id)
            .execute()
        > 0;
  }

  /** Sessions not closed yet. */
  static long openCount(Handle h) {
    return h.createQuery("SELECT count(*) FROM sessions WHERE closed_at IS NULL")
        .mapTo(Long.class)
        .one();
  }

  /**
   * Deletes a collection's rows of {@code sessions} ({@link
   * io.engram.core.collection.CollectionDeletion}).
   */
  public static final BatchedChange<String> DELETE_OF_COLLECTION =
      BatchedChange.deleteOfCollection(
          "sessions", "id", "SELECT id FROM sessions WHERE collection = :key");

  /**
   * The ids of {@code tenant}'s user {@code userId}'s sessions, as a subquery binding {@code
   * :tenant} and {@code :userId}: how the owners of the tables that hang off sessions find a user's
   * rows. The same user id in another tenant is another person.
   */
  public static final String OF_USER =
      "SELECT id FROM sessions WHERE tenant = :tenant AND user_id = :userId";

  /**
   * Closes up to {@code limit} of {@code tenant}'s user {@code userId}'s open sessions at {@code
   * now} in the caller's transaction, and returns how many: no question is taken in them from then
   * on, so nothing new is written of the user while the rest is forgotten ({@link UserForgetting}).
   */
  public static int closeOfUser(Handle h, String tenant, String userId, Instant now, int limit) {
    return h.createUpdate(
            "UPDATE sessions SET closed_at = :now WHERE id IN (SELECT id FROM sessions WHERE"
                + " tenant = :tenant AND user_id = :userId AND closed_at IS NULL LIMIT :limit)")
        .bind("now", MemorySql.ts(now))
        .bind("tenant", tenant)
        .bind("userId", userId)
        .bind("limit", limit)
        .execute();
  }

  /** Deletes a tenant's user's rows of {@code sessions} ({@link UserForgetting}). */
  public static final BatchedChange<BatchedChange.User> DELETE_OF_USER =
      BatchedChange.deleteOfUser("sessions", "id", OF_USER);
}
