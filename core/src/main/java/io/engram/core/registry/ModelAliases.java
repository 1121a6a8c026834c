package io.engram.core.registry;

import io.engram.core.db.BatchedChange;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Which version each alias of a collection points at ({@code model_aliases}): the one class that
 * reads and writes it. Moves happen through {@link ModelRegistry}, which audits them.
 */
public final class ModelAliases {
  public static final String CHAMPION = "champion";
  public static final String STAGING = "staging";
  public static final String PREVIOUS = "previous";

  /** The aliases a version can carry, in the order they are listed. */
  public static final List<String> ALL = List.of(CHAMPION, STAGING, PREVIOUS);

  /** Where an alias points: the version's row id and number. */
  public record Target(long versionId, int version) {}

  private final Jdbi jdbi;

  public ModelAliases(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** The collections in which {@code alias} points at a version, in name order. */
  public List<String> collectionsWith(String alias) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT collection FROM model_aliases WHERE alias = :alias ORDER BY collection")
                .bind("alias", alias)
                .mapTo(String.class)
                .list());
  }

  /** The version {@code alias} of {@code collection} points at, if it is set. */
  public Optional<Target> find(String collection, String alias) {
    return jdbi.withHandle(h -> find(h, collection, alias));
  }

  static Optional<Target> find(Handle h, String collection, String alias) {
    return h.createQuery(
            "SELECT a.version_id, v.version FROM model_aliases a JOIN model_versions v ON v.id ="
                + " a.version_id WHERE a.collection = :collection AND a.alias = :alias")
        .bind("collection", collection)
        .bind("alias", alias)
        .map((rs, ctx) -> new Target(rs.getLong(1), rs.getInt(2)))
        .findOne();
  }

  /**
   * As {@link #find(Handle, String, String)}, the alias row locked until the caller's transaction
   * ends, so it cannot move between a check and what the check allows.
   */
  static Optional<Target> findForUpdate(Handle h, String collection, String alias) {
    return h.createQuery(
            "SELECT a.version_id, v.version FROM model_aliases a JOIN model_versions v ON v.id ="
                + " a.version_id WHERE a.collection = :collection AND a.alias = :alias"
                + " FOR UPDATE OF a")
        .bind("collection", collection)
        .bind("alias", alias)
        .map((rs, ctx) -> new Target(rs.getLong(1), rs.getInt(2)))
        .findOne();
  }

  /** The aliases pointing at version row {@code versionId}, in name order. */
  static List<String> ofVersion(Handle h, long versionId) {
    return h.createQuery(
            "SELECT alias FROM model_aliases WHERE version_id = :version ORDER BY alias")
        .bind("version", versionId)
        .mapTo(String.class)
        .list();
  }

  /** The aliases of a collection's versions: version row id to its aliases. */
  public Map<Long, List<String>> byVersion(String collection) {
    return jdbi.withHandle(
        h ->
            h
                .createQuery(
                    "SELECT version_id, alias FROM model_aliases WHERE collection = :collection"
                        + " ORDER BY alias")
                .bind("collection", collection)
                .map((rs, ctx) -> Map.entry(rs.getLong(1), rs.getString(2)))
                .list()
                .stream()
                .collect(
                    Collectors.groupingBy(
                        Map.Entry::getKey,
                        Collectors.mapping(Map.Entry::getValue, Collectors.toList()))));
  }

  static void set(Handle h, String collection, String alias, long versionId) {
    h.createUpdate(
            "INSERT INTO model_aliases (collection, alias, version_id) VALUES (:collection,"
                + " :alias, :version) ON CONFLICT (collection, alias) DO UPDATE SET version_id ="
                + " EXCLUDED.version_id, updated_at = now()")
        .bind("collection", collection)
        .bind("alias", alias)
        .bind("version", versionId)
        .execute();
  }

  static void remove(Handle h, String collection, String alias) {
    h.createUpdate("DELETE FROM model_aliases WHERE collection = :collection AND alias = :alias")
        .bind("collection", collection)
        .bind("alias", alias)
        .execute();
  }

  /**
   * Deletes a collection's rows of {@code model_aliases} ({@link
   * io.engram.core.collection.CollectionDeletion}).
   */
  public static final BatchedChange<String> DELETE_OF_COLLECTION =
      BatchedChange.deleteOfCollection(
          "model_aliases",
          "collection, alias",
          "SELECT collection, alias FROM model_aliases WHERE collection = :key");
}
