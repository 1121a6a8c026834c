package io.engram.core.ingestion;

import io.engram.core.db.BatchedChange;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;

/**
 * Which content of a document each index version holds ({@code document_indexes}): the hash that
 * was chunked and embedded, and how many chunks it gave.
 */
public final class DocumentIndexes {
  private final Jdbi jdbi;

  public DocumentIndexes(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /**
   * Records that the index version holds the document's chunks of {@code contentHash}, inside the
   * caller's transaction (the one that stored those chunks).
   */
  public static void record(
      Handle h, long documentId, int indexVersionId, String contentHash, int chunkCount) {
    h.createUpdate(
            "INSERT INTO document_indexes (document_id, index_version_id, content_hash, chunk_count)"
                + " VALUES (:document, :version, :hash, :chunks)"
                + " ON CONFLICT (document_id, index_version_id) DO UPDATE"
                + " SET content_hash = EXCLUDED.content_hash, chunk_count = EXCLUDED.chunk_count,"
                + " indexed_at = now()")
        .bind("document", documentId)
        .bind("version", indexVersionId)
        .bind("hash", contentHash)
        .bind("chunks", chunkCount)
        .execute();
  }

  /** Forgets which documents of {@code collection} index version {@code indexVersionId} holds. */
  public static int deleteOfIndex(Handle h, String collection, int indexVersionId) {
    return h.createUpdate(
            "DELETE FROM document_indexes di USING documents d WHERE d.id = di.document_id"
                + " AND d.collection = :collection AND di.index_version_id = :version")
        .bind("collection", collection)
        .bind("version", indexVersionId)
        .execute();
  }

  /**
   * The chunk count recorded for the document's {@code contentHash} in index version {@code
   * indexVersionId}, locking that record until the caller's transaction ends (a run storing the
   * document meanwhile waits); empty when the version records other content or none.
   */
  public static Optional<Integer> lockRecorded(
      Handle h, long documentId, int indexVersionId, String contentHash) {
    return h.createQuery(
            "SELECT chunk_count FROM document_indexes WHERE document_id = :document"
                + " AND index_version_id = :version AND content_hash = :hash FOR UPDATE")
        .bind("document", documentId)
        .bind("version", indexVersionId)
        .bind("hash", contentHash)
        .mapTo(Integer.class)
        .findOne();
  }

  /**
   * Forgets that index version {@code indexVersionId} holds the document, inside the caller's
   * transaction, so the next run that scans its source stores it there again rather than skipping
   * it as unchanged.
   */
  public static void forget(Handle h, long documentId, int indexVersionId) {
    h.createUpdate(
            "DELETE FROM document_indexes WHERE document_id = :document"
                + " AND index_version_id = :version")
        .bind("document", documentId)
        .bind("version", indexVersionId)
        .execute();
  }

  /**
   * What one index version holds of a document.
   *
   * @param contentHash the content it was chunked and embedded from
   * @param chunks how many chunks that gave
   */
  public record Held(int indexVersionId, String contentHash, int chunks, Instant indexedAt) {}

  /** What each index version holds of the document, by index version id. */
  public static List<Held> ofDocument(Handle h, long documentId) {
    return h.createQuery(
            "SELECT index_version_id, content_hash, chunk_count AS chunks, indexed_at"
                + " FROM document_indexes WHERE document_id = :document ORDER BY index_version_id")
        .bind("document", documentId)
        .map(ConstructorMapper.of(Held.class))
        .list();
  }

  /** Forgets every index of the documents {@code documentIds}. */
  public static void deleteOfDocuments(Handle h, List<Long> documentIds) {
    h.createUpdate("DELETE FROM document_indexes WHERE document_id = ANY (:ids)")
        .bindArray("ids", Long.class, documentIds)
        .execute();
  }

  /**
   * The content hash the index version holds for each active document of the collection, by source
   * URI: a discovered document with the same hash needs no work.
   */
  public Map<String, String> hashesBySource(String collection, int indexVersionId) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT d.source_uri, di.content_hash FROM documents d"
                        + " JOIN document_indexes di ON di.document_id = d.id"
                        + " WHERE d.collection = :collection AND di.index_version_id = :version"
                        + " AND d.status = 'active'")
                .bind("collection", collection)
                .bind("version", indexVersionId)
                .setFetchSize(1000)
                .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2)))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> b)));
  }

  /** Whether the index version holds any active document of the collection. */
  public boolean anyActive(String collection, int indexVersionId) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT 1 FROM document_indexes di JOIN documents d ON d.id = di.document_id"
                        + " WHERE d.collection = :collection AND di.index_version_id = :version"
                        + " AND d.status = 'active' LIMIT 1")
                .bind("collection", collection)
                .bind("version", indexVersionId)
                .mapTo(Integer.class)
                .findOne()
                .isPresent());
  }

  /**
   * The collections with at least one active document indexed in {@code indexVersionId}, but for
   * those being deleted.
   */
  public List<String> collectionsIndexed(int indexVersionId) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT DISTINCT d.collection FROM document_indexes di JOIN documents d ON d.id ="
                        + " di.document_id WHERE di.index_version_id = :version AND d.status ="
                        + " 'active' AND NOT EXISTS (SELECT 1 FROM collections c WHERE c.name ="
                        + " d.collection AND c.deleting_since IS NOT NULL) ORDER BY d.collection")
                .bind("version", indexVersionId)
                .mapTo(String.class)
                .list());
  }

  /**
   * Deletes a collection's rows of {@code document_indexes} ({@link
   * io.engram.core.collection.CollectionDeletion}).
   */
  public static final BatchedChange<String> DELETE_OF_COLLECTION =
      BatchedChange.deleteOfCollection(
          "document_indexes",
          "document_id, index_version_id",
          "SELECT x.document_id, x.index_version_id FROM documents d JOIN"
              + " document_indexes x ON x.document_id = d.id WHERE d.collection ="
              + " :key");
}
