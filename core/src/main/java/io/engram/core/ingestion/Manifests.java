package io.engram.core.ingestion;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.engram.core.db.BatchedChange;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
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
   * Deletes a collection's rows of {@code ingestion_manifests} ({@link
   * io.engram.core.collection.CollectionDeletion}).
   */
  public static final BatchedChange<String> DELETE_OF_COLLECTION =
      BatchedChange.deleteOfCollection(
          "ingestion_manifests",
          "id",
          "SELECT id FROM ingestion_manifests WHERE collection = :key");
}
