package io.engram.core.collection;

import io.engram.core.tenant.Tenant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Named collections of documents ({@code collections}); ingestion creates them on first use,
 * queries require them. Collections are known here by their key, which says whose they are (see
 * {@link io.engram.core.tenant.Tenant#collection}); the database derives a collection's tenant from
 * its key.
 */
public final class CollectionRegistry {
  public static final String DEFAULT = "default";
  private static final Pattern NAME = Pattern.compile("^[a-z0-9][a-z0-9_.-]{0,62}$");
  private static final Pattern KEY =
      Pattern.compile("^(?!default~)(?:[a-z0-9][a-z0-9_-]{0,31}~)?[a-z0-9][a-z0-9_.-]{0,62}$");

  private final Jdbi jdbi;

  /**
   * Names known to exist. Collections are never deleted, so a positive answer can be kept for the
   * life of the process and the query path skips a round trip; a negative one is always asked
   * again, since ingestion may create the collection at any time.
   */
  private final Set<String> known = ConcurrentHashMap.newKeySet();

  public CollectionRegistry(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** Whether {@code name} is a collection's name as a tenant gives it. */
  public static boolean isValidName(String name) {
    return name != null && NAME.matcher(name).matches();
  }

  /** Whether {@code key} is a collection key: a name, or a tenant's {@code <tenant>~<name>}. */
  public static boolean isValidKey(String key) {
    return key != null && KEY.matcher(key).matches();
  }

  public boolean exists(String name) {
    if (known.contains(name)) {
      return true;
    }
    boolean found =
        jdbi.withHandle(
            h ->
                h.createQuery("SELECT 1 FROM collections WHERE name = :name")
                    .bind("name", name)
                    .mapTo(Integer.class)
                    .findOne()
                    .isPresent());
    if (found) {
      known.add(name);
    }
    return found;
  }

  /** The keys of {@code tenant}'s collections, in order. */
  public List<String> keys(Tenant tenant) {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT name FROM collections WHERE tenant = :tenant ORDER BY name")
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

  public void ensure(String name) {
    jdbi.useHandle(
        h ->
            h.createUpdate("INSERT INTO collections (name) VALUES (:name) ON CONFLICT DO NOTHING")
                .bind("name", name)
                .execute());
  }
}
