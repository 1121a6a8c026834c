package io.engram.core.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.document.DocumentSplitter;
import dev.langchain4j.data.document.splitter.DocumentSplitters;
import dev.langchain4j.data.segment.TextSegment;
import io.engram.core.collection.CollectionRegistry;
import io.engram.core.embedding.CachedEmbedder;
import io.engram.core.index.IndexVersion;
import io.engram.core.index.IndexVersions;
import io.engram.core.store.PgVectorChunkStore;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.IntConsumer;
import javax.sql.DataSource;

/**
 * The ingestion steps the workflow's activities run: discover what changed, process a range of
 * items, and report. Every step is idempotent by construction, which is what makes activity retries
 * and a killed worker safe:
 *
 * <ul>
 *   <li>{@link #discover} writes the run and its items in one transaction keyed by the run id; a
 *       retry finds them and returns the same summary.
 *   <li>{@link #process} handles only items still {@code pending}; each document's chunks are
 *       replaced and its item marked done in one transaction, so a crash leaves a document either
 *       fully indexed or untouched, and the {@code UNIQUE (document_id, index_version_id, ordinal)}
 *       constraint makes a duplicate chunk impossible.
 * </ul>
 */
public final class IngestionService {
  // Tolerant reads: locators written by an older version stay readable after an upgrade.
  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  private static final int TOMBSTONE_SAMPLE = 20;

  /** What to ingest: a path on the worker's host or an uploaded manifest, into a collection. */
  public record Request(
      String workflowId,
      String runId,
      String collection,
      String origin,
      String path,
      UUID manifestId,
      Integer chunkSize,
      Integer chunkOverlap) {}

  /** The outcome of discovery, small enough for workflow history. */
  public record Discovery(
      int indexVersionId,
      int total,
      int skipped,
      int pending,
      int tombstoned,
      List<String> tombstonedSample) {}

  /** A document that failed, with the reason. */
  public record ItemError(String source, String reason) {}

  /** The outcome of one batch. */
  public record BatchOutcome(int done, int failed, int chunks, List<ItemError> errors) {}

  /** Thrown when the request itself can never succeed (missing path, unknown manifest). */
  public static final class InvalidSourceException extends Exception {
    public InvalidSourceException(String message) {
      super(message);
    }
  }

  private final DataSource dataSource;
  private final IndexVersions indexVersions;
  private final BlobStore blobs;
  private final DocumentReader reader;
  private final Function<String, CachedEmbedder> embedders;

  public IngestionService(
      DataSource dataSource,
      IndexVersions indexVersions,
      BlobStore blobs,
      DocumentReader reader,
      Function<String, CachedEmbedder> embedders) {
    this.dataSource = dataSource;
    this.indexVersions = indexVersions;
    this.blobs = blobs;
    this.reader = reader;
    this.embedders = embedders;
  }

  /**
   * Lists the source's documents, records the new or changed ones as the run's items (unchanged
   * documents are skipped here, before any parsing or embedding) and tombstones documents of the
   * same origin that are gone from it.
   */
  public Discovery discover(Request request, IntConsumer heartbeat)
      throws SQLException, IOException, InvalidSourceException {
    Discovery existing = existingDiscovery(request.runId());
    if (existing != null) {
      return existing;
    }
    // Workflows may be started by any client (API, CLI, benchmark, schedules), so the collection
    // is created here rather than trusted to exist.
    if (!CollectionRegistry.isValidName(request.collection())) {
      throw new InvalidSourceException(
          "collection '"
              + request.collection()
              + "' is not a valid name (1-63 of a-z, 0-9, _ . -)");
    }
    new CollectionRegistry(dataSource).ensure(request.collection());
    IndexVersion version = indexVersions.forChunking(request.chunkSize(), request.chunkOverlap());
    Map<String, DiscoveredDocument> found = new LinkedHashMap<>();
    if (request.manifestId() != null) {
      for (ManifestEntry entry : manifest(request.manifestId())) {
        SourceScanner.scanBlob(entry, blobs, d -> found.putIfAbsent(d.sourceUri(), d));
        heartbeat.accept(found.size());
      }
    } else {
      Path path = Path.of(request.path());
      if (!Files.exists(path)) {
        throw new InvalidSourceException("no such file or directory on the worker: " + path);
      }
      SourceScanner.scanPath(
          path,
          d -> {
            found.putIfAbsent(d.sourceUri(), d);
            if (found.size() % 100 == 0) {
              heartbeat.accept(found.size());
            }
          });
    }
    Map<String, String> indexedHashes = indexedHashes(request.collection(), version.id());
    List<DiscoveredDocument> pending = new ArrayList<>();
    for (DiscoveredDocument d : found.values()) {
      if (!d.contentHash().equals(indexedHashes.get(d.sourceUri()))) {
        pending.add(d);
      }
    }
    int skipped = found.size() - pending.size();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      List<String> tombstoned =
          tombstone(c, request.collection(), request.origin(), found.keySet());
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO ingestion_runs (run_id, workflow_id, collection, origin, index_version_id, total, skipped, tombstoned)"
                  + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, request.runId());
        ps.setString(2, request.workflowId());
        ps.setString(3, request.collection());
        ps.setString(4, request.origin());
        ps.setInt(5, version.id());
        ps.setInt(6, found.size());
        ps.setInt(7, skipped);
        ps.setArray(8, c.createArrayOf("text", tombstoned.toArray()));
        ps.executeUpdate();
      }
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO ingestion_items (run_id, seq, source_uri, external_id, title, content_hash, locator)"
                  + " VALUES (?, ?, ?, ?, ?, ?, ?::jsonb)")) {
        int seq = 0;
        for (DiscoveredDocument d : pending) {
          ps.setString(1, request.runId());
          ps.setInt(2, seq++);
          ps.setString(3, d.sourceUri());
          ps.setString(4, d.externalId());
          ps.setString(5, d.title());
          ps.setString(6, d.contentHash());
          ps.setString(7, JSON.writeValueAsString(d.locator()));
          ps.addBatch();
          if (seq % 500 == 0) {
            ps.executeBatch();
          }
        }
        ps.executeBatch();
      }
      c.commit();
      return new Discovery(
          version.id(),
          found.size(),
          skipped,
          pending.size(),
          tombstoned.size(),
          tombstoned.subList(0, Math.min(TOMBSTONE_SAMPLE, tombstoned.size())));
    }
  }

  /**
   * Parses, splits, embeds and stores the run's pending items with {@code fromSeq <= seq < toSeq}.
   * {@code heartbeat} receives the sequence number of the last finished item.
   */
  public BatchOutcome process(String runId, int fromSeq, int toSeq, IntConsumer heartbeat)
      throws SQLException, IOException {
    RunInfo run = run(runId);
    IndexVersion version =
        indexVersions
            .byId(run.indexVersionId())
            .orElseThrow(() -> new IllegalStateException("index version gone"));
    CachedEmbedder embedder = embedders.apply(version.embeddingModel());
    DocumentSplitter splitter =
        DocumentSplitters.recursive(version.chunkSize(), version.chunkOverlap());

    List<PendingItem> items = pendingItems(runId, fromSeq, toSeq);
    List<Prepared> prepared = new ArrayList<>();
    for (PendingItem item : items) {
      try {
        prepared.add(prepare(item, splitter));
      } catch (DocumentRejectedException e) {
        recordFailure(run, item, e.getMessage());
        heartbeat.accept(item.seq());
      }
    }

    List<String> texts = new ArrayList<>();
    for (Prepared p : prepared) {
      texts.addAll(p.chunks());
    }
    // Liveness during a long embedding call; the detail names the batch being worked on.
    List<float[]> vectors = embedder.embed(texts, () -> heartbeat.accept(fromSeq));
    int offset = 0;
    for (Prepared p : prepared) {
      List<float[]> docVectors = vectors.subList(offset, offset + p.chunks().size());
      offset += p.chunks().size();
      store(run, version, p, docVectors);
      heartbeat.accept(p.item().seq());
    }
    // Counted from the items' stored state rather than from this attempt's work: a retry after a
    // crash finds part of the range already done and must still report the whole range.
    return outcome(runId, fromSeq, toSeq);
  }

  private BatchOutcome outcome(String runId, int fromSeq, int toSeq) throws SQLException {
    int done = 0;
    int failed = 0;
    int chunks = 0;
    List<ItemError> errors = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT status, chunk_count, source_uri, external_id, error FROM ingestion_items"
                    + " WHERE run_id = ? AND seq >= ? AND seq < ? AND status <> 'pending' ORDER BY seq")) {
      ps.setString(1, runId);
      ps.setInt(2, fromSeq);
      ps.setInt(3, toSeq);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if ("done".equals(rs.getString(1))) {
            done++;
            chunks += rs.getInt(2);
          } else {
            failed++;
            errors.add(
                new ItemError(displaySource(rs.getString(3), rs.getString(4)), rs.getString(5)));
          }
        }
      }
    }
    return new BatchOutcome(done, failed, chunks, errors);
  }

  private record RunInfo(String runId, String collection, String origin, int indexVersionId) {}

  private record PendingItem(
      int seq,
      String sourceUri,
      String externalId,
      String title,
      String contentHash,
      Locator locator) {}

  private record Prepared(PendingItem item, String title, String mime, List<String> chunks) {}

  private Prepared prepare(PendingItem item, DocumentSplitter splitter)
      throws DocumentRejectedException, IOException {
    byte[] bytes = load(item.locator());
    Locator loc = item.locator();
    String title;
    String text;
    String mime;
    if (loc.isRange()) {
      // One line of a BEIR corpus: title and text are embedded together, as BEIR evaluates them.
      JsonNode node;
      try {
        node = JSON.readTree(bytes);
      } catch (JsonProcessingException e) {
        throw new DocumentRejectedException("malformed JSON line: " + e.getOriginalMessage());
      }
      if (node == null || !node.isObject() || !node.hasNonNull("_id")) {
        throw new DocumentRejectedException("JSONL line is not an object with an _id");
      }
      title = node.path("title").asText("");
      String body = node.path("text").asText("");
      if (title.isBlank() && body.isBlank()) {
        throw new DocumentRejectedException("JSONL document has neither title nor text");
      }
      // One line break, not a blank line: as one paragraph the title stays with the first
      // sentences instead of becoming a chunk of its own.
      text = title.isBlank() ? body : title + "\n" + body;
      mime = "text/plain";
    } else {
      DocumentReader.ParsedDocument parsed = reader.read(loc.name(), bytes);
      title = parsed.title();
      text = parsed.text();
      mime = parsed.mime();
    }
    List<String> chunks =
        Chunks.dropContained(
            splitter.split(Document.from(text)).stream().map(TextSegment::text).toList());
    if (chunks.isEmpty()) {
      throw new DocumentRejectedException("no text left after splitting");
    }
    return new Prepared(item, title, mime, chunks);
  }

  private byte[] load(Locator loc) throws IOException, DocumentRejectedException {
    if (Locator.BLOB.equals(loc.kind())) {
      return loc.isRange()
          ? blobs.readRange(loc.ref(), loc.offset(), loc.length())
          : blobs.read(loc.ref());
    }
    Path path = Path.of(loc.ref());
    try {
      if (!loc.isRange()) {
        return Files.readAllBytes(path);
      }
      try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "r")) {
        byte[] part = new byte[loc.length()];
        file.seek(loc.offset());
        file.readFully(part);
        return part;
      }
    } catch (NoSuchFileException e) {
      throw new DocumentRejectedException("file disappeared before it could be read");
    }
  }

  private void store(RunInfo run, IndexVersion version, Prepared p, List<float[]> vectors)
      throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      long documentId = upsertDocument(c, run, p.item(), p.title(), p.mime(), "active", null);
      PgVectorChunkStore.replaceChunks(c, documentId, version.id(), p.chunks(), vectors);
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO document_indexes (document_id, index_version_id, content_hash, chunk_count)"
                  + " VALUES (?, ?, ?, ?) ON CONFLICT (document_id, index_version_id) DO UPDATE"
                  + " SET content_hash = EXCLUDED.content_hash, chunk_count = EXCLUDED.chunk_count, indexed_at = now()")) {
        ps.setLong(1, documentId);
        ps.setInt(2, version.id());
        ps.setString(3, p.item().contentHash());
        ps.setInt(4, p.chunks().size());
        ps.executeUpdate();
      }
      markItem(c, p.item().seq(), run.runId(), "done", null, p.chunks().size());
      c.commit();
    }
  }

  private void recordFailure(RunInfo run, PendingItem item, String reason) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      upsertDocument(c, run, item, item.title(), null, "failed", reason);
      markItem(c, item.seq(), run.runId(), "failed", reason, null);
      c.commit();
    }
  }

  /**
   * Inserts or updates the document row. A document that fails to re-ingest keeps its earlier
   * chunks and status (nothing already stored is lost); only its error is recorded.
   */
  private static long upsertDocument(
      Connection c,
      RunInfo run,
      PendingItem item,
      String title,
      String mime,
      String status,
      String error)
      throws SQLException {
    String onConflict =
        "active".equals(status)
            ? " DO UPDATE SET origin = EXCLUDED.origin, external_id = EXCLUDED.external_id, title = EXCLUDED.title,"
                + " mime = EXCLUDED.mime, content_hash = EXCLUDED.content_hash, status = 'active', error = NULL, updated_at = now()"
            : " DO UPDATE SET error = EXCLUDED.error, updated_at = now(),"
                + " status = CASE WHEN documents.status = 'tombstoned' THEN 'failed' ELSE documents.status END";
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO documents (collection, source_uri, origin, external_id, title, mime, content_hash, status, error)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (collection, source_uri)"
                + onConflict
                + " RETURNING id")) {
      ps.setString(1, run.collection());
      ps.setString(2, item.sourceUri());
      ps.setString(3, run.origin());
      ps.setString(4, item.externalId());
      ps.setString(5, title);
      ps.setString(6, mime);
      ps.setString(7, item.contentHash());
      ps.setString(8, status);
      ps.setString(9, error);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static void markItem(
      Connection c, int seq, String runId, String status, String error, Integer chunks)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE ingestion_items SET status = ?, error = ?, chunk_count = ? WHERE run_id = ? AND seq = ?")) {
      ps.setString(1, status);
      ps.setString(2, error);
      if (chunks == null) {
        ps.setNull(3, java.sql.Types.INTEGER);
      } else {
        ps.setInt(3, chunks);
      }
      ps.setString(4, runId);
      ps.setInt(5, seq);
      ps.executeUpdate();
    }
  }

  private static String displaySource(String sourceUri, String externalId) {
    return externalId != null && sourceUri.endsWith("#" + externalId) ? externalId : sourceUri;
  }

  /** Removes the chunks of documents of this origin that the source no longer has. */
  private static List<String> tombstone(
      Connection c, String collection, String origin, java.util.Set<String> present)
      throws SQLException {
    List<Long> ids = new ArrayList<>();
    List<String> uris = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT id, source_uri FROM documents WHERE collection = ? AND origin = ? AND status <> 'tombstoned'")) {
      ps.setString(1, collection);
      ps.setString(2, origin);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (!present.contains(rs.getString(2))) {
            ids.add(rs.getLong(1));
            uris.add(rs.getString(2));
          }
        }
      }
    }
    if (ids.isEmpty()) {
      return uris;
    }
    Array idArray = c.createArrayOf("bigint", ids.toArray());
    for (String sql :
        List.of(
            "DELETE FROM chunks WHERE document_id = ANY (?)",
            "DELETE FROM document_indexes WHERE document_id = ANY (?)",
            "UPDATE documents SET status = 'tombstoned', updated_at = now() WHERE id = ANY (?)")) {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setArray(1, idArray);
        ps.executeUpdate();
      }
    }
    return uris;
  }

  private Discovery existingDiscovery(String runId) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT index_version_id, total, skipped, tombstoned,"
                    + " (SELECT count(*) FROM ingestion_items i WHERE i.run_id = r.run_id)"
                    + " FROM ingestion_runs r WHERE run_id = ?")) {
      ps.setString(1, runId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        List<String> tombstoned = List.of((String[]) rs.getArray(4).getArray());
        return new Discovery(
            rs.getInt(1),
            rs.getInt(2),
            rs.getInt(3),
            rs.getInt(5),
            tombstoned.size(),
            tombstoned.subList(0, Math.min(TOMBSTONE_SAMPLE, tombstoned.size())));
      }
    }
  }

  private Map<String, String> indexedHashes(String collection, int indexVersionId)
      throws SQLException {
    Map<String, String> hashes = new HashMap<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT d.source_uri, di.content_hash FROM documents d"
                    + " JOIN document_indexes di ON di.document_id = d.id"
                    + " WHERE d.collection = ? AND di.index_version_id = ? AND d.status = 'active'")) {
      ps.setString(1, collection);
      ps.setInt(2, indexVersionId);
      ps.setFetchSize(1000);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          hashes.put(rs.getString(1), rs.getString(2));
        }
      }
    }
    return hashes;
  }

  private List<ManifestEntry> manifest(UUID id) throws SQLException, InvalidSourceException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement("SELECT entries::text FROM ingestion_manifests WHERE id = ?")) {
      ps.setObject(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new InvalidSourceException("no upload manifest " + id + "; upload the files again");
        }
        return JSON.readValue(rs.getString(1), new TypeReference<List<ManifestEntry>>() {});
      } catch (JsonProcessingException e) {
        throw new InvalidSourceException(
            "upload manifest " + id + " is unreadable: " + e.getOriginalMessage());
      }
    }
  }

  private RunInfo run(String runId) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT collection, origin, index_version_id FROM ingestion_runs WHERE run_id = ?")) {
      ps.setString(1, runId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new IllegalStateException("ingestion run " + runId + " was never discovered");
        }
        return new RunInfo(runId, rs.getString(1), rs.getString(2), rs.getInt(3));
      }
    }
  }

  private List<PendingItem> pendingItems(String runId, int fromSeq, int toSeq)
      throws SQLException, IOException {
    List<PendingItem> items = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT seq, source_uri, external_id, title, content_hash, locator::text FROM ingestion_items"
                    + " WHERE run_id = ? AND seq >= ? AND seq < ? AND status = 'pending' ORDER BY seq")) {
      ps.setString(1, runId);
      ps.setInt(2, fromSeq);
      ps.setInt(3, toSeq);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          items.add(
              new PendingItem(
                  rs.getInt(1),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getString(4),
                  rs.getString(5),
                  JSON.readValue(rs.getString(6), Locator.class)));
        }
      }
    }
    return items;
  }
}
