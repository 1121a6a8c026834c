package io.engram.core.ingestion;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Upload manifests ({@code ingestion_manifests}): the files of one upload, each a client path and
 * the blob holding its bytes, under an id an ingestion request names.
 */
public final class Manifests {
  // Tolerant reads: manifests written by an older version stay readable after an upgrade.
  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  private static final TypeReference<List<ManifestEntry>> ENTRIES = new TypeReference<>() {};

  private final Jdbi jdbi;

  public Manifests(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /**
   * Stores a manifest for an existing collection.
   *
   * @return its id
   */
  public UUID store(String collection, String origin, List<ManifestEntry> entries)
      throws JsonProcessingException {
    UUID id = UUID.randomUUID();
    String json = JSON.writeValueAsString(entries);
    jdbi.useHandle(
        h ->
            h.createUpdate(
                    "INSERT INTO ingestion_manifests (id, collection, origin, entries)"
                        + " VALUES (:id, :collection, :origin, :entries::jsonb)")
                .bind("id", id)
                .bind("collection", collection)
                .bind("origin", origin)
                .bind("entries", json)
                .execute());
    return id;
  }

  /**
   * The manifest's entries; empty when there is no such manifest.
   *
   * @throws JsonProcessingException when the stored entries cannot be read
   */
  public Optional<List<ManifestEntry>> entries(UUID id) throws JsonProcessingException {
    Optional<String> json =
        jdbi.withHandle(
            h ->
                h.createQuery("SELECT entries::text FROM ingestion_manifests WHERE id = :id")
                    .bind("id", id)
                    .mapTo(String.class)
                    .findOne());
    return json.isEmpty() ? Optional.empty() : Optional.of(JSON.readValue(json.get(), ENTRIES));
  }

  /**
   * Deletes up to {@code limit} of collection {@code key}'s rows of {@code ingestion_manifests} in
   * the caller's transaction, and returns how many: 0 once none is left, so a deletion repeats it
   * until then ({@link io.engram.core.collection.CollectionDeletion}).
   */
  public static int deleteOfCollection(Handle h, String key, int limit) {
    return h.createUpdate(
            "DELETE FROM ingestion_manifests WHERE id IN (SELECT id FROM ingestion_manifests"
                + " WHERE collection = :key LIMIT :limit)")
        .bind("key", key)
        .bind("limit", limit)
        .execute();
  }
}
