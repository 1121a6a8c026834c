package io.engram.core.ingestion;

import io.engram.core.db.BatchedChange;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;

/**
 * Source documents of the collections ({@code documents}): one row per source URI, with its status.
 * Every write joins the caller's transaction.
 */
public final class Documents {
  private Documents() {}

  /** A document as its source lists it: where it comes from and what its content hashes to. */
  public record Source(
      String collection, String sourceUri, String origin, String externalId, String contentHash) {}

  /** A stored document that is not tombstoned, with the origin that last stored it. */
  public record Live(long id, String sourceUri, String origin) {}

  /** The statuses a document can have. */
  public static final List<String> STATUSES = List.of("active", "failed", "tombstoned");

  /**
   * A document as its collection's listing shows it.
   *
   * @param status {@code active} (indexed; {@code error} set when validation found chunks missing),
   *     {@code failed} (never indexed; {@code error} says why) or {@code tombstoned} (removed)
   */
  public record Listed(
      long id,
      String sourceUri,
      String externalId,
      String origin,
      String title,
      String mime,
      String contentHash,
      String status,
      String error,
      Instant updatedAt) {}

  /**
   * How a document is named to users: its external id (a JSONL document's {@code _id}) when it has
   * one, else its source URI. A line of a JSONL file without an {@code _id} is named by its file
   * and line ({@code corpus.jsonl#line-4}), as {@code line-4} alone could be a line of any file.
   */
  public static String shownSource(String sourceUri, String externalId) {
    return externalId != null
            && sourceUri.endsWith("#" + externalId)
            && !SourceScanner.isLineId(externalId)
        ? externalId
        : sourceUri;
  }

  private static final String LISTED =
      "SELECT id, source_uri, external_id, origin, title, mime, content_hash, status, error,"
          + " updated_at FROM documents WHERE collection = :collection";

  /**
   * Up to {@code limit} of the collection's documents with ids above {@code afterId}, in id order,
   * only those with {@code status} when it is not null: a page of a walk over the collection.
   */
  public static List<Listed> page(
      Handle h, String collection, String status, long afterId, int limit) {
    return h.createQuery(
            LISTED
                + (status == null ? "" : " AND status = :status")
                + " AND id > :after ORDER BY id LIMIT :limit")
        .bind("collection", collection)
        .bind("status", status)
        .bind("after", afterId)
        .bind("limit", limit)
        .map(ConstructorMapper.of(Listed.class))
        .list();
  }

  /** The collection's document {@code id}. */
  public static Optional<Listed> find(Handle h, String collection, long id) {
    return one(h, collection, id, "");
  }

  /** The collection's document {@code id}, locked until the caller's transaction ends. */
  public static Optional<Listed> lock(Handle h, String collection, long id) {
    return one(h, collection, id, " FOR UPDATE");
  }

  private static Optional<Listed> one(Handle h, String collection, long id, String lockClause) {
    return h.createQuery(LISTED + " AND id = :id" + lockClause)
        .bind("collection", collection)
        .bind("id", id)
        .map(ConstructorMapper.of(Listed.class))
        .findOne();
  }

  /** How many documents each of the collections {@code keys} has, by status. */
  public static Map<String, Map<String, Long>> countsByStatus(Handle h, List<String> keys) {
    Map<String, Map<String, Long>> counts = new TreeMap<>();
    for (StatusCount c :
        h.createQuery(
                "SELECT collection, status, count(*) AS documents FROM documents"
                    + " WHERE collection = ANY (:keys) GROUP BY collection, status")
            .bindArray("keys", String.class, keys)
            .map(ConstructorMapper.of(StatusCount.class))
            .list()) {
      counts.computeIfAbsent(c.collection(), k -> new TreeMap<>()).put(c.status(), c.documents());
    }
    return counts;
  }

  private record StatusCount(String collection, String status, long documents) {}

  /**
   * Stores a document that was just indexed: inserted, or updated to the source's current identity
   * and marked {@code active} with no error.
   *
   * @return the document's id
   */
  public static long storeIndexed(Handle h, Source source, String title, String mime) {
    return upsert(
        h,
        source,
        new Details(title, mime, "active", null),
        "origin = EXCLUDED.origin, external_id = EXCLUDED.external_id, title = EXCLUDED.title,"
            + " mime = EXCLUDED.mime, content_hash = EXCLUDED.content_hash, status = 'active',"
            + " error = NULL, updated_at = now()");
  }

  /**
   * Records that an active document was rebuilt into another index version: its identity, content
   * and origin stay as its last ingestion stored them. The row lock orders this against a tombstone
   * of the same document.
   *
   * @return the document's id; empty when it is no longer active (removed meanwhile)
   */
  public static Optional<Long> touchActive(Handle h, String collection, String sourceUri) {
    return h.createQuery(
            "UPDATE documents SET updated_at = now() WHERE collection = :collection"
                + " AND source_uri = :sourceUri AND status = 'active' RETURNING id")
        .bind("collection", collection)
        .bind("sourceUri", sourceUri)
        .mapTo(Long.class)
        .findOne();
  }

  /** How many of the collection's documents are active (indexed and not tombstoned). */
  public static int activeCount(Handle h, String collection) {
    return h.createQuery(
            "SELECT count(*) FROM documents WHERE collection = :collection AND status = 'active'")
        .bind("collection", collection)
        .mapTo(Integer.class)
        .one();
  }

  /**
   * Stores a document that could not be ingested. One that fails to re-ingest keeps its earlier
   * chunks and status (nothing already stored is lost); only its error is recorded, and a
   * tombstoned one becomes failed.
   *
   * @return the document's id
   */
  public static long storeFailed(Handle h, Source source, String title, String error) {
    return upsert(
        h,
        source,
        new Details(title, null, "failed", error),
        "error = EXCLUDED.error, updated_at = now(), status = CASE WHEN documents.status ="
            + " 'tombstoned' THEN 'failed' ELSE documents.status END");
  }

  /** What a stored row says of a document besides its source. */
  public record Details(String title, String mime, String status, String error) {}

  private static long upsert(Handle h, Source source, Details details, String onConflictSet) {
    return h.createQuery(
            "INSERT INTO documents (collection, source_uri, origin, external_id, title, mime,"
                + " content_hash, status, error) VALUES (:collection, :sourceUri, :origin,"
                + " :externalId, :title, :mime, :contentHash, :status, :error)"
                + " ON CONFLICT (collection, source_uri) DO UPDATE SET "
                + onConflictSet
                + " RETURNING id")
        .bindMethods(source)
        .bindMethods(details)
        .mapTo(Long.class)
        .one();
  }

  /**
   * The collection's documents that are not tombstoned and were last stored from {@code origin}, or
   * whose source URI starts with {@code sourcePrefix}, whatever origin stored them.
   */
  public static List<Live> live(Handle h, String collection, String origin, String sourcePrefix) {
    return h.createQuery(
            "SELECT id, source_uri, origin FROM documents WHERE collection = :collection"
                + " AND status <> 'tombstoned'"
                + " AND (origin = :origin OR starts_with(source_uri, :sourcePrefix))")
        .bind("collection", collection)
        .bind("origin", origin)
        .bind("sourcePrefix", sourcePrefix)
        .map((rs, ctx) -> new Live(rs.getLong(1), rs.getString(2), rs.getString(3)))
        .list();
  }

  /**
   * Records why the document's stored state falls short (its status and chunks stay as they are),
   * until it is stored again.
   */
  public static void recordError(Handle h, long id, String error) {
    h.createUpdate("UPDATE documents SET error = :error, updated_at = now() WHERE id = :id")
        .bind("error", error)
        .bind("id", id)
        .execute();
  }

  /** Marks documents gone from their source; their chunks and indexes are the caller's to drop. */
  public static void tombstone(Handle h, List<Long> ids) {
    h.createUpdate(
            "UPDATE documents SET status = 'tombstoned', error = NULL, updated_at = now()"
                + " WHERE id = ANY (:ids)")
        .bindArray("ids", Long.class, ids)
        .execute();
  }

  /**
   * The collection's active documents as training data sees them.
   *
   * @param documents how many
   * @param hash SHA-256 over every document's source URI and content hash, in URI order: it changes
   *     when a document is added, removed or edited
   */
  public record Corpus(long documents, String hash) {}

  public static Corpus corpus(Handle h, String collection) {
    return h.createQuery(
            "SELECT count(*), encode(sha256(convert_to(coalesce(string_agg(source_uri || '='"
                + " || coalesce(content_hash, ''), E'\\n' ORDER BY source_uri), ''), 'UTF8')),"
                + " 'hex') FROM documents WHERE collection = :collection AND status = 'active'")
        .bind("collection", collection)
        .map((rs, ctx) -> new Corpus(rs.getLong(1), rs.getString(2)))
        .one();
  }

  /**
   * Which of {@code ids} name an active document of the collection, by the id retrieval reports
   * (the external id, else the source URI).
   */
  public static Set<String> known(Handle h, String collection, Collection<String> ids) {
    return new TreeSet<>(
        h.createQuery(
                "SELECT COALESCE(external_id, source_uri) FROM documents WHERE collection ="
                    + " :collection AND status = 'active' AND COALESCE(external_id, source_uri) ="
                    + " ANY (:ids)")
            .bind("collection", collection)
            .bindArray("ids", String.class, ids)
            .mapTo(String.class)
            .list());
  }

  /**
   * Deletes a collection's rows of {@code documents} ({@link
   * io.engram.core.collection.CollectionDeletion}).
   */
  public static final BatchedChange<String> DELETE_OF_COLLECTION =
      BatchedChange.deleteOfCollection(
          "documents", "id", "SELECT id FROM documents WHERE collection = :key");
}
