package io.engram.core.collection;

import io.engram.core.tenant.Tenant;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Named collections of documents ({@code collections}); ingestion creates them on first use,
 * queries require them, a deletion marks them and removes them last ({@link CollectionDeletion}).
 * Collections are known here by their key, which says whose they are (see {@link
 * io.engram.core.tenant.Tenant#collection}); the database derives a collection's tenant from its
 * key.
 */
public final class CollectionRegistry {
  public static final String DEFAULT = "default";
  private static final Pattern KEY =
      Pattern.compile("^(?!default~)(?:[a-z0-9][a-z0-9_-]{0,31}~)?[a-z0-9][a-z0-9_.-]{0,62}$");

  private final Jdbi jdbi;

  public CollectionRegistry(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /**
   * Whether {@code name} is a collection's name as a tenant gives it: the contract's rule, which
   * the CLI checks too.
   */
  public static boolean isValidName(String name) {
    return io.engram.contract.Collections.isValidName(name);
  }

  /** Whether {@code key} is a collection key: a name, or a tenant's {@code <tenant>~<name>}. */
  public static boolean isValidKey(String key) {
    return key != null && KEY.matcher(key).matches();
  }

  /**
   * Whether the collection exists and is not being deleted. Asked of the database every time (a
   * primary key lookup): a collection another replica began to delete must stop answering here at
   * once, so no positive answer is kept.
   */
  public boolean exists(String name) {
    return inUse(name).isPresent();
  }

  /**
   * A collection in use (not being deleted).
   *
   * @param generation moves on with every change to what its searches find; it keys the answers
   *     cached from it
   * @param createdAt when it was created: a workflow of the same name that began before ran on a
   *     collection deleted since
   */
  public record InUse(long generation, Instant createdAt) {}

  /**
   * The collection in use under {@code key}, or empty when there is none or it is being deleted:
   * the query path's one read of the collection, which both checks it and keys its cached answers.
   */
  public Optional<InUse> inUse(String key) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT generation, created_at FROM collections WHERE name = :name"
                        + " AND deleting_since IS NULL")
                .bind("name", key)
                .map(
                    (rs, ctx) ->
                        new InUse(rs.getLong(1), rs.getObject(2, OffsetDateTime.class).toInstant()))
                .findOne());
  }

  /** Where a collection stands: absent, in use, or being deleted. */
  public enum State {
    ABSENT,
    ACTIVE,
    DELETING
  }

  public State state(String key) {
    return jdbi.withHandle(h -> state(h, key));
  }

  /** As {@link #state(String)}, in the caller's handle or transaction. */
  public static State state(Handle h, String key) {
    return h.createQuery("SELECT deleting_since IS NOT NULL FROM collections WHERE name = :name")
        .bind("name", key)
        .mapTo(Boolean.class)
        .findOne()
        .map(deleting -> deleting ? State.DELETING : State.ACTIVE)
        .orElse(State.ABSENT);
  }

  /**
   * Marks the collection as being deleted and moves its generation on, once: from the commit on it
   * is not listed and {@link #exists} denies it, and no replica serves an answer cached from it.
   * Marking it again changes nothing.
   *
   * @return the collection's state before: {@link State#ABSENT} when there is no such collection
   */
  public static State markDeleting(Handle h, String key) {
    State before = state(h, key);
    if (before == State.ACTIVE) {
      h.createUpdate(
              "UPDATE collections SET deleting_since = now(), generation = generation + 1"
                  + " WHERE name = :name AND deleting_since IS NULL")
          .bind("name", key)
          .execute();
    }
    return before;
  }

  /**
   * Removes the row of a collection being deleted, the last step of its deletion, once every row
   * that references it is gone; a collection not marked (or gone already) is left alone.
   *
   * @return whether a row was removed
   */
  public static boolean removeDeleted(Handle h, String key) {
    return h.createUpdate(
                "DELETE FROM collections WHERE name = :name AND deleting_since IS NOT NULL")
            .bind("name", key)
            .execute()
        > 0;
  }

  /** The keys of {@code tenant}'s collections, in order. */
  public List<String> keys(Tenant tenant) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT name FROM collections WHERE tenant = :tenant"
                        + " AND deleting_since IS NULL ORDER BY name")
                .bind("tenant", tenant.id())
                .mapTo(String.class)
                .list());
  }

  /**
   * The collection's generation: it moves on with every change to what its searches can find (see
   * {@link #changed}), so an answer cached under one generation is never served under a later one.
   * 0 for a collection that does not exist.
   */
  public long generation(String key) {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT generation FROM collections WHERE name = :name")
                .bind("name", key)
                .mapTo(Long.class)
                .findOne()
                .orElse(0L));
  }

  /**
   * Moves the collection's generation on, in the caller's transaction: after a change to what its
   * searches find, and never before it (an answer computed in between is cached under the old
   * generation, which no lookup asks for after the commit).
   */
  public static void changed(Handle h, String key) {
    h.createUpdate("UPDATE collections SET generation = generation + 1 WHERE name = :name")
        .bind("name", key)
        .execute();
  }

  /**
   * Creates the collection unless it exists.
   *
   * @throws CollectionDeletingException when the collection is being deleted: nothing may recreate
   *     it half way
   */
  public void ensure(String name) {
    State state =
        jdbi.withHandle(
            h -> {
              h.createUpdate("INSERT INTO collections (name) VALUES (:name) ON CONFLICT DO NOTHING")
                  .bind("name", name)
                  .execute();
              return state(h, name);
            });
    if (state == State.DELETING) {
      throw new CollectionDeletingException(name);
    }
  }
}
