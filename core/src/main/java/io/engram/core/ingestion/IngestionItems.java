package io.engram.core.ingestion;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.engram.core.db.BatchedChange;
import io.engram.core.db.RunSlice;
import java.io.UncheckedIOException;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * The documents an ingestion run has to process ({@code ingestion_items}), numbered by {@code seq}
 * in discovery order, each {@code pending} until it is {@code done} or {@code failed}; the run's
 * validation marks a done item whose index lacks some of its chunks {@code incomplete}.
 */
public final class IngestionItems {
  // Tolerant reads: locators written by an older version stay readable after an upgrade.
  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /** Rows sent to the database per batch when a run's items are recorded. */
  private static final int INSERT_BATCH = 500;

  /** An item still to process. */
  public record Pending(
      int seq,
      String sourceUri,
      String externalId,
      String title,
      String contentHash,
      Locator locator) {}

  /**
   * A processed item.
   *
   * @param status {@code done} or {@code failed}
   * @param chunkCount chunks stored, null when failed
   * @param error why it failed, null when done
   */
  public record Finished(
      String status, Integer chunkCount, String sourceUri, String externalId, String error) {
    public boolean done() {
      return "done".equals(status);
    }
  }

  private final Jdbi jdbi;

  public IngestionItems(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** Records a run's items, numbered from 0 in list order, inside the caller's transaction. */
  public static void insertAll(Handle h, String runId, List<DiscoveredDocument> documents) {
    for (int from = 0; from < documents.size(); from += INSERT_BATCH) {
      PreparedBatch batch =
          h.prepareBatch(
              "INSERT INTO ingestion_items (run_id, seq, source_uri, external_id, title,"
                  + " content_hash, locator) VALUES (:runId, :seq, :sourceUri, :externalId, :title,"
                  + " :contentHash, :locator::jsonb)");
      for (int seq = from; seq < Math.min(documents.size(), from + INSERT_BATCH); seq++) {
        DiscoveredDocument d = documents.get(seq);
        batch
            .bind("runId", runId)
            .bind("seq", seq)
            .bind("sourceUri", d.sourceUri())
            .bind("externalId", d.externalId())
            .bind("title", d.title())
            .bind("contentHash", d.contentHash())
            .bind("locator", json(d.locator()))
            .add();
      }
      batch.execute();
    }
  }

  /** How many items the run has. */
  public int count(String runId) {
    return count(runId, "");
  }

  private int count(String runId, String andFilter) {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT count(*) FROM ingestion_items WHERE run_id = :runId" + andFilter)
                .bind("runId", runId)
                .mapTo(Integer.class)
                .one());
  }

  /** The run's items {@code fromSeq <= seq < toSeq} still pending, in order. */
  public List<Pending> pending(String runId, int fromSeq, int toSeq) {
    return new RunSlice(runId, fromSeq, toSeq)
        .query(
            jdbi,
            "SELECT seq, source_uri, external_id, title, content_hash, locator::text AS locator"
                + " FROM ingestion_items WHERE run_id = :runId AND seq >= :from AND seq < :to"
                + " AND status = 'pending' ORDER BY seq",
            q ->
                q.registerColumnMapper(
                        Locator.class, (rs, column, ctx) -> locator(rs.getString(column)))
                    .map(ConstructorMapper.of(Pending.class))
                    .list());
  }

  /**
   * Where the collection's live documents were last read: for each active document, the newest item
   * that stored its current content, as it was discovered then (its locator, title and external
   * id), in source order. A document no recorded item covers (stored before items were kept, or its
   * runs deleted) is left out; compare with the live count.
   */
  public static List<DiscoveredDocument> lastRead(Handle h, String collection) {
    return h.createQuery(
            "SELECT DISTINCT ON (d.source_uri) d.source_uri, i.external_id, i.title,"
                + " d.content_hash, i.locator::text AS locator"
                + " FROM documents d"
                + " JOIN ingestion_items i ON i.source_uri = d.source_uri"
                + "  AND i.content_hash = d.content_hash AND i.status IN ('done', 'incomplete')"
                + " JOIN ingestion_runs r ON r.run_id = i.run_id AND r.collection = d.collection"
                + " WHERE d.collection = :collection AND d.status = 'active'"
                + " ORDER BY d.source_uri, r.created_at DESC")
        .bind("collection", collection)
        .map(
            (rs, ctx) ->
                new DiscoveredDocument(
                    rs.getString("source_uri"),
                    rs.getString("external_id"),
                    rs.getString("title"),
                    rs.getString("content_hash"),
                    locator(rs.getString("locator"))))
        .list();
  }

  /** The run's items {@code fromSeq <= seq < toSeq} processed so far, in order. */
  public List<Finished> finished(String runId, int fromSeq, int toSeq) {
    return new RunSlice(runId, fromSeq, toSeq)
        .query(
            jdbi,
            "SELECT status, chunk_count, source_uri, external_id, error FROM ingestion_items"
                + " WHERE run_id = :runId AND seq >= :from AND seq < :to"
                + " AND status <> 'pending' ORDER BY seq",
            q -> q.map(ConstructorMapper.of(Finished.class)).list());
  }

  /**
   * A done item whose content its index version still holds, with what the version recorded and
   * what it holds.
   *
   * @param recorded the chunks recorded when the item was stored
   * @param held the chunks the index version holds for the document now
   */
  public record Stored(
      int seq,
      String sourceUri,
      String externalId,
      String contentHash,
      long documentId,
      int recorded,
      int held) {}

  /**
   * The run's done items {@code fromSeq <= seq < toSeq}, in order, whose document is active and
   * whose content the run's index version still holds ({@code document_indexes}), with the chunks
   * that version holds for each document. An item whose document was tombstoned or stored again
   * with other content since is left out: it is no longer this run's to answer for.
   */
  public List<Stored> stored(String runId, int fromSeq, int toSeq) {
    return new RunSlice(runId, fromSeq, toSeq)
        .query(
            jdbi,
            "SELECT i.seq, i.source_uri, i.external_id, i.content_hash, d.id AS document_id,"
                + " di.chunk_count AS recorded, (SELECT count(*) FROM chunks c"
                + " WHERE c.document_id = d.id AND c.index_version_id = r.index_version_id) AS held"
                + " FROM ingestion_items i JOIN ingestion_runs r ON r.run_id = i.run_id"
                + " JOIN documents d ON d.collection = r.collection"
                + "  AND d.source_uri = i.source_uri AND d.status = 'active'"
                + " JOIN document_indexes di ON di.document_id = d.id"
                + "  AND di.index_version_id = r.index_version_id"
                + "  AND di.content_hash = i.content_hash"
                + " WHERE i.run_id = :runId AND i.seq >= :from AND i.seq < :to"
                + " AND i.status = 'done' ORDER BY i.seq",
            q -> q.map(ConstructorMapper.of(Stored.class)).list());
  }

  /** Marks an item done with its chunk count, inside the transaction that stored the chunks. */
  public static void markDone(Handle h, String runId, int seq, int chunks) {
    mark(h, runId, seq, "done", null, chunks);
  }

  /**
   * Marks a done item incomplete with the reason, inside the transaction in which its index forgot
   * the content; it keeps its chunk count, and stays where its document was last read from.
   */
  public static void markIncomplete(Handle h, String runId, int seq, int chunks, String reason) {
    mark(h, runId, seq, "incomplete", reason, chunks);
  }

  /** How many of the run's items validation marked incomplete. */
  public int countIncomplete(String runId) {
    return count(runId, " AND status = 'incomplete'");
  }

  /** The first {@code limit} of the run's items validation marked incomplete, in order. */
  public List<Finished> incomplete(String runId, int limit) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT status, chunk_count, source_uri, external_id, error FROM ingestion_items"
                        + " WHERE run_id = :runId AND status = 'incomplete' ORDER BY seq"
                        + " LIMIT :limit")
                .bind("runId", runId)
                .bind("limit", limit)
                .map(ConstructorMapper.of(Finished.class))
                .list());
  }

  /** Marks an item failed with the reason, inside the transaction that recorded the failure. */
  public static void markFailed(Handle h, String runId, int seq, String reason) {
    mark(h, runId, seq, "failed", reason, null);
  }

  private static void mark(
      Handle h, String runId, int seq, String status, String error, Integer chunks) {
    h.createUpdate(
            "UPDATE ingestion_items SET status = :status, error = :error, chunk_count = :chunks"
                + " WHERE run_id = :runId AND seq = :seq")
        .bind("status", status)
        .bind("error", error)
        .bind("chunks", chunks)
        .bind("runId", runId)
        .bind("seq", seq)
        .execute();
  }

  private static String json(Locator locator) {
    try {
      return JSON.writeValueAsString(locator);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise locator " + locator, e);
    }
  }

  private static Locator locator(String json) {
    try {
      return JSON.readValue(json, Locator.class);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("unreadable locator " + json, e);
    }
  }

  /**
   * Deletes a collection's rows of {@code ingestion_items} ({@link
   * io.engram.core.collection.CollectionDeletion}).
   */
  public static final BatchedChange<String> DELETE_OF_COLLECTION =
      BatchedChange.deleteOfCollection(
          "ingestion_items",
          "run_id, seq",
          "SELECT i.run_id, i.seq FROM ingestion_runs r JOIN ingestion_items"
              + " i ON i.run_id = r.run_id WHERE r.collection = :key");
}
