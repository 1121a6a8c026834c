package io.engram.core.ingestion;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.langchain4j.data.document.DocumentSplitter;
import dev.langchain4j.data.document.splitter.DocumentSplitters;
import io.engram.core.collection.CollectionDeletingException;
import io.engram.core.collection.CollectionRegistry;
import io.engram.core.db.InvalidData;
import io.engram.core.embedding.CachedEmbedder;
import io.engram.core.index.IndexParams;
import io.engram.core.index.IndexVersion;
import io.engram.core.index.IndexVersions;
import io.engram.core.store.PgVectorChunkStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntConsumer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The ingestion steps the workflow's activities run: discover what changed, process a range of
 * items, and report. It composes the owners of the tables involved ({@link IngestionRuns}, {@link
 * IngestionItems}, {@link Documents}, {@link DocumentIndexes}, the chunks of {@link
 * PgVectorChunkStore}) and opens the transactions that span them. Every step is idempotent by
 * construction, which is what makes activity retries and a killed worker safe:
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
  private static final int TOMBSTONE_SAMPLE = 20;

  /**
   * What to ingest into a collection: a path on the worker's host, an uploaded manifest, or (with
   * {@code rebuild}) the collection's own live documents, read again from where they were last read
   * into the index version {@code index} asks for (from the collection's serving index).
   */
  public record Request(
      String workflowId,
      String runId,
      String collection,
      String origin,
      String path,
      UUID manifestId,
      IndexParams index,
      boolean rebuild) {}

  /**
   * The origin a rebuild run is recorded under. Its documents keep the origins their last ingestion
   * stored, and it tombstones nothing.
   */
  public static final String REBUILD_ORIGIN = "(rebuild)";

  /**
   * The outcome of discovery, small enough for workflow history.
   *
   * @param duplicates records the source listed again under a source URI already listed (only the
   *     first is ingested); {@code duplicateSample} names the first few
   */
  public record Discovery(
      int indexVersionId,
      int total,
      int skipped,
      int pending,
      int tombstoned,
      List<String> tombstonedSample,
      int duplicates,
      List<String> duplicateSample) {}

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

  private final BiConsumer<String, IndexVersion> indexed;
  private final ServedIndexes served;
  private final Jdbi jdbi;
  private final IndexVersions indexVersions;
  private final CollectionRegistry collections;
  private final Manifests manifests;
  private final IngestionRuns runs;
  private final IngestionItems items;
  private final DocumentIndexes documentIndexes;
  private final BlobStore blobs;
  private final DocumentChunker chunker;
  private final Function<String, CachedEmbedder> embedders;

  public IngestionService(
      Jdbi jdbi,
      IndexVersions indexVersions,
      BlobStore blobs,
      DocumentReader reader,
      Function<String, CachedEmbedder> embedders) {
    this(
        jdbi,
        indexVersions,
        blobs,
        reader,
        embedders,
        (collection, index) -> {},
        ServedIndexes.NONE);
  }

  /**
   * @param indexed told the collection and the index version after a batch stored documents there
   *     (the worker registers a new collection's first model version then, over that index, so it
   *     serves a registered bundle at once and searches what its first ingestion wrote)
   * @param served the index versions a collection is served from: a run without index parameters of
   *     its own writes to its serving version's (else to the installation's champion index
   *     version), so a collection whose promoted version searches a rebuilt index gets its new
   *     documents in it; the others it can serve from follow (see {@link #following})
   */
  public IngestionService(
      Jdbi jdbi,
      IndexVersions indexVersions,
      BlobStore blobs,
      DocumentReader reader,
      Function<String, CachedEmbedder> embedders,
      BiConsumer<String, IndexVersion> indexed,
      ServedIndexes served) {
    this.served = served;
    this.indexed = indexed;
    this.jdbi = jdbi;
    this.indexVersions = indexVersions;
    this.collections = new CollectionRegistry(jdbi);
    this.manifests = new Manifests(jdbi);
    this.runs = new IngestionRuns(jdbi);
    this.items = new IngestionItems(jdbi);
    this.documentIndexes = new DocumentIndexes(jdbi);
    this.blobs = blobs;
    this.chunker = new DocumentChunker(blobs, reader);
    this.embedders = embedders;
  }

  /**
   * The index versions other than {@code indexVersionId} that some version of {@code collection}
   * can serve from ({@link ServedIndexes#servable}), oldest first: after a run stores documents in
   * one index, each of these is rebuilt to take them too, so neither a rollout's candidate, nor a
   * staged version, nor the instant undo target ({@code previous}) serves without them.
   */
  public List<IndexVersion> following(String collection, int indexVersionId) {
    return served.servable(collection).stream()
        .filter(id -> id != indexVersionId)
        .sorted()
        .map(indexVersions::byId)
        .flatMap(Optional::stream)
        .toList();
  }

  /**
   * Lists the source's documents, records the new or changed ones as the run's items (unchanged
   * documents are skipped here, before any parsing or embedding) and tombstones documents of the
   * same origin, or under the scanned path, that are gone from it.
   */
  public Discovery discover(Request request, IntConsumer heartbeat)
      throws IOException, InvalidSourceException {
    Optional<IngestionRuns.Run> existing = runs.find(request.runId());
    if (existing.isPresent()) {
      return discovery(existing.get(), items.count(request.runId()));
    }
    // Workflows may be started by any client (API, CLI, benchmark, schedules), so the collection
    // is created here rather than trusted to exist.
    if (!CollectionRegistry.isValidKey(request.collection())) {
      throw new InvalidSourceException(
          "collection '"
              + request.collection()
              + "' is not a valid name (1-63 of a-z, 0-9, _ . -)");
    }
    if (!request.rebuild() && REBUILD_ORIGIN.equals(request.origin())) {
      throw new InvalidSourceException(
          "origin '" + REBUILD_ORIGIN + "' is reserved for rebuilds; name the source otherwise");
    }
    try {
      collections.ensure(request.collection());
    } catch (CollectionDeletingException e) {
      // A run started before the deletion (or by a schedule or another client meanwhile) fails for
      // good rather than retrying until the deletion ends and then recreating the collection.
      throw new InvalidSourceException(e.getMessage());
    }
    IndexVersion version;
    try {
      version = indexVersions.resolve(served.serving(request.collection()), request.index());
    } catch (IllegalArgumentException e) {
      throw new InvalidSourceException(e.getMessage());
    }
    Map<String, DiscoveredDocument> found = new LinkedHashMap<>();
    List<String> duplicates = new ArrayList<>();
    // What the index holds: read before a rebuild (it locates only what is missing), after a scan
    // of a source otherwise (a run storing documents meanwhile is seen).
    Map<String, String> indexedHashes =
        request.rebuild()
            ? documentIndexes.hashesBySource(request.collection(), version.id())
            : null;
    if (request.rebuild()) {
      List<DiscoveredDocument> read = rebuilt(request.collection(), version);
      // Only what the index lacks is read again, so only that needs a current locator: a rebuild
      // of an index that holds everything (a follower, most often) scans no file.
      Map<String, String> held = indexedHashes; // effectively final, for the filter
      Map<String, DiscoveredDocument> lacking = new HashMap<>();
      for (DiscoveredDocument d :
          located(
              read.stream().filter(d -> !d.contentHash().equals(held.get(d.sourceUri()))).toList(),
              heartbeat)) {
        lacking.put(d.sourceUri(), d);
      }
      for (DiscoveredDocument d : read) {
        found.put(d.sourceUri(), lacking.getOrDefault(d.sourceUri(), d));
      }
      heartbeat.accept(found.size());
    } else if (request.manifestId() != null) {
      for (ManifestEntry entry : manifest(request.manifestId())) {
        SourceScanner.scanBlob(entry, blobs, collecting(found, duplicates, heartbeat, 100));
        heartbeat.accept(found.size());
      }
    } else {
      Path path = Path.of(request.path());
      if (!Files.exists(path)) {
        throw new InvalidSourceException("no such file or directory on the worker: " + path);
      }
      SourceScanner.scanPath(path, collecting(found, duplicates, heartbeat, 100));
    }
    if (indexedHashes == null) {
      indexedHashes = documentIndexes.hashesBySource(request.collection(), version.id());
    }
    List<DiscoveredDocument> pending = new ArrayList<>();
    for (DiscoveredDocument d : found.values()) {
      if (!d.contentHash().equals(indexedHashes.get(d.sourceUri()))) {
        pending.add(d);
      }
    }
    IngestionRuns.Run run =
        jdbi.inTransaction(
            h -> {
              IngestionRuns.Run recorded =
                  new IngestionRuns.Run(
                      request.runId(),
                      request.collection(),
                      request.rebuild() ? REBUILD_ORIGIN : request.origin(),
                      version.id(),
                      found.size(),
                      found.size() - pending.size(),
                      request.rebuild() ? List.of() : tombstone(h, request, found.keySet()),
                      duplicates);
              IngestionRuns.insert(h, request.workflowId(), recorded);
              IngestionItems.insertAll(h, request.runId(), pending);
              if (!recorded.tombstoned().isEmpty()) {
                // Last, so the collection's row is locked for the commit alone.
                CollectionRegistry.changed(h, request.collection());
              }
              return recorded;
            });
    return discovery(run, pending.size());
  }

  /**
   * The collection's live documents as their last ingestion read them, for a rebuild into {@code
   * version}; refused when some live document has no recorded source to read again, since the
   * rebuilt index would lack it.
   */
  private List<DiscoveredDocument> rebuilt(String collection, IndexVersion version)
      throws InvalidSourceException {
    return jdbi.inTransaction(
        h -> {
          List<DiscoveredDocument> read = IngestionItems.lastRead(h, collection);
          int live = Documents.activeCount(h, collection);
          if (live == 0) {
            throw new InvalidSourceException(
                "collection '" + collection + "' has no documents to rebuild; ingest it first");
          }
          if (read.size() < live) {
            throw new InvalidSourceException(
                (live - read.size())
                    + " of the "
                    + live
                    + " documents of collection '"
                    + collection
                    + "' have no recorded source to read again, so index version "
                    + version.name()
                    + " cannot be rebuilt from them; ingest the collection's sources with this"
                    + " chunking instead");
          }
          return read;
        });
  }

  /**
   * The rebuild's documents with current locators. A line of a JSONL file on this host is found
   * again by scanning the file: a run records the locators of what it processes only, so an
   * unchanged line keeps the byte range of the run that first stored it, which an edit of an
   * earlier line moves. Uploaded blobs never change, and a whole file has no range.
   */
  private static List<DiscoveredDocument> located(
      List<DiscoveredDocument> documents, IntConsumer heartbeat) throws IOException {
    Map<String, Map<String, DiscoveredDocument>> scanned = new HashMap<>();
    List<DiscoveredDocument> out = new ArrayList<>(documents.size());
    for (DiscoveredDocument d : documents) {
      Locator l = d.locator();
      if (!Locator.FILE.equals(l.kind()) || l.offset() < 0) {
        out.add(d);
        continue;
      }
      Map<String, DiscoveredDocument> lines =
          scanned.computeIfAbsent(l.ref(), file -> scanLines(Path.of(file), heartbeat));
      DiscoveredDocument now = lines.get(d.sourceUri());
      // A line gone or changed since it was stored keeps its old range: reading it fails that
      // document alone, with the reason ("changed since discovery; ingest again").
      out.add(now != null && now.contentHash().equals(d.contentHash()) ? now : d);
    }
    return out;
  }

  /**
   * Keeps the first document scanned for each source in {@code into} (a later one's source goes to
   * {@code repeated}, when given), heartbeating with the count every {@code every} documents.
   */
  private static Consumer<DiscoveredDocument> collecting(
      Map<String, DiscoveredDocument> into,
      List<String> repeated,
      IntConsumer heartbeat,
      int every) {
    return d -> {
      if (into.putIfAbsent(d.sourceUri(), d) != null && repeated != null) {
        repeated.add(d.sourceUri());
      }
      if (into.size() % every == 0) {
        heartbeat.accept(into.size());
      }
    };
  }

  /** Every line of a JSONL file by source, heartbeating as a large file is read. */
  private static Map<String, DiscoveredDocument> scanLines(Path file, IntConsumer heartbeat) {
    Map<String, DiscoveredDocument> lines = new HashMap<>();
    if (!Files.isRegularFile(file)) {
      return lines;
    }
    try {
      SourceScanner.scanPath(file, collecting(lines, null, heartbeat, 1_000));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return lines;
  }

  private static Discovery discovery(IngestionRuns.Run run, int pending) {
    List<String> tombstoned = run.tombstoned();
    List<String> duplicates = run.duplicates();
    return new Discovery(
        run.indexVersionId(),
        run.total(),
        run.skipped(),
        pending,
        tombstoned.size(),
        tombstoned.subList(0, Math.min(TOMBSTONE_SAMPLE, tombstoned.size())),
        duplicates.size(),
        duplicates.subList(0, Math.min(TOMBSTONE_SAMPLE, duplicates.size())));
  }

  /**
   * Tombstones the documents the source no longer has, dropping their chunks and indexes; returns
   * their source URIs. Those are the documents last stored from this origin, and any document of
   * the collection whose source lies under the scanned path, whatever origin last stored it: a
   * document is stored once per source URI, so ingesting a file of a directory on its own records
   * that file's origin over the directory's, and looking at the origin alone would leave the file
   * active and served after it is deleted from the directory. A document the scan does not look at
   * (a hidden file ingested on its own) is not gone just because the scan did not list it.
   */
  private static List<String> tombstone(Handle h, Request request, Set<String> present) {
    String root =
        request.manifestId() != null ? request.origin() : Path.of(request.path()).toString();
    List<Long> ids = new ArrayList<>();
    List<String> uris = new ArrayList<>();
    // An upload that lists no file at all reaches only what was ingested from its origin: nothing
    // it listed says which other sources under that path it speaks for.
    boolean emptyUpload = request.manifestId() != null && present.isEmpty();
    for (Documents.Live d : Documents.live(h, request.collection(), request.origin(), root)) {
      boolean inScope =
          d.origin().equals(request.origin())
              || (!emptyUpload && SourceScanner.covers(root, d.sourceUri()));
      if (inScope && !present.contains(d.sourceUri())) {
        ids.add(d.id());
        uris.add(d.sourceUri());
      }
    }
    if (!ids.isEmpty()) {
      PgVectorChunkStore.deleteOfDocuments(h, ids);
      DocumentIndexes.deleteOfDocuments(h, ids);
      Documents.tombstone(h, ids);
    }
    return uris;
  }

  private List<ManifestEntry> manifest(UUID id) throws InvalidSourceException {
    try {
      return manifests
          .entries(id)
          .orElseThrow(
              () ->
                  new InvalidSourceException(
                      "no upload manifest " + id + "; upload the files again"));
    } catch (JsonProcessingException e) {
      throw new InvalidSourceException(
          "upload manifest " + id + " is unreadable: " + e.getOriginalMessage());
    }
  }

  /**
   * Parses, splits, embeds and stores the run's pending items with {@code fromSeq <= seq < toSeq}.
   * {@code heartbeat} receives the sequence number of the last finished item.
   */
  public BatchOutcome process(String runId, int fromSeq, int toSeq, IntConsumer heartbeat)
      throws IOException {
    IngestionRuns.Run run =
        runs.find(runId)
            .orElseThrow(
                () ->
                    new IllegalStateException("ingestion run " + runId + " was never discovered"));
    IndexVersion version =
        indexVersions
            .byId(run.indexVersionId())
            .orElseThrow(() -> new IllegalStateException("index version gone"));
    CachedEmbedder embedder = embedders.apply(version.embeddingModel());
    DocumentSplitter splitter =
        DocumentSplitters.recursive(version.chunkSize(), version.chunkOverlap());

    boolean rebuild = REBUILD_ORIGIN.equals(run.origin());
    List<Prepared> prepared = new ArrayList<>();
    for (IngestionItems.Pending item : items.pending(runId, fromSeq, toSeq)) {
      if (rebuild && !active(run.collection(), item.sourceUri())) {
        // Removed from its source since the rebuild began: nothing to rebuild, nothing failed.
        jdbi.useHandle(h -> IngestionItems.markDone(h, runId, item.seq(), 0));
        heartbeat.accept(item.seq());
        continue;
      }
      try {
        prepared.add(
            new Prepared(item, chunker.chunk(item.locator(), item.contentHash(), splitter)));
      } catch (DocumentRejectedException e) {
        recordFailure(run, item, e.getMessage());
        heartbeat.accept(item.seq());
      }
    }

    List<String> texts = new ArrayList<>();
    for (Prepared p : prepared) {
      texts.addAll(p.document().chunks());
    }
    // Liveness during a long embedding call; the detail names the batch being worked on.
    Runnable progress = () -> heartbeat.accept(fromSeq);
    List<float[]> vectors;
    try {
      vectors = embedder.embed(texts, progress);
    } catch (IllegalArgumentException refused) {
      // The model refuses a text the chunker let through: the same on every retry, so the
      // documents it refuses fail alone and the others are embedded document by document.
      List<Prepared> embedded = new ArrayList<>();
      vectors = new ArrayList<>();
      for (Prepared p : prepared) {
        try {
          vectors.addAll(embedder.embed(p.document().chunks(), progress));
          embedded.add(p);
        } catch (IllegalArgumentException e) {
          recordFailure(run, p.item(), "the embedding model refuses its text: " + e.getMessage());
          heartbeat.accept(p.item().seq());
        }
      }
      prepared = embedded;
    }
    int offset = 0;
    for (Prepared p : prepared) {
      int count = p.document().chunks().size();
      List<float[]> documentVectors = vectors.subList(offset, offset + count);
      offset += count;
      try {
        store(run, version, p, documentVectors);
      } catch (RuntimeException e) {
        // A value PostgreSQL refuses fails the same way on every retry: that document fails
        // alone, and the batch goes on. Any other failure (the database gone, a full disk) is
        // the batch's, for Temporal to retry.
        SQLException invalid = InvalidData.in(e).orElseThrow(() -> e);
        recordFailure(
            run,
            p.item(),
            "cannot be stored ("
                + invalid.getMessage().lines().findFirst().orElse("data exception")
                + "); fix the document and ingest it again");
      }
      heartbeat.accept(p.item().seq());
    }
    // Counted from the items' stored state rather than from this attempt's work: a retry after a
    // crash finds part of the range already done and must still report the whole range, and
    // still tell that documents are there (an attempt that stored them may have died after).
    BatchOutcome outcome = outcome(runId, fromSeq, toSeq);
    if (outcome.done() > 0) {
      indexed.accept(run.collection(), version);
    }
    return outcome;
  }

  private boolean active(String collection, String sourceUri) {
    return jdbi.withHandle(h -> Documents.touchActive(h, collection, sourceUri)).isPresent();
  }

  private record Prepared(IngestionItems.Pending item, DocumentChunker.Chunked document) {}

  /**
   * Stores a document's chunks, records which content the version holds and marks its item done, in
   * one transaction.
   */
  private void store(
      IngestionRuns.Run run, IndexVersion version, Prepared p, List<float[]> vectors) {
    DocumentChunker.Chunked document = p.document();
    jdbi.useTransaction(
        h -> {
          Long documentId =
              REBUILD_ORIGIN.equals(run.origin())
                  ? Documents.touchActive(h, run.collection(), p.item().sourceUri()).orElse(null)
                  : Documents.storeIndexed(
                      h, source(run, p.item()), document.title(), document.mime());
          if (documentId == null) {
            // Removed from its source while the rebuild ran: its chunks must not come back.
            IngestionItems.markDone(h, run.runId(), p.item().seq(), 0);
            return;
          }
          PgVectorChunkStore.replaceChunks(h, documentId, version.id(), document.chunks(), vectors);
          DocumentIndexes.record(
              h, documentId, version.id(), p.item().contentHash(), document.chunks().size());
          IngestionItems.markDone(h, run.runId(), p.item().seq(), document.chunks().size());
          // With the document's commit: no answer cached before it is served after it.
          CollectionRegistry.changed(h, run.collection());
        });
  }

  private void recordFailure(IngestionRuns.Run run, IngestionItems.Pending item, String rawReason) {
    // A reason may quote the document (a parser's message), so it must be storable too.
    String reason = DocumentReader.withoutNul(rawReason);
    jdbi.useTransaction(
        h -> {
          // A rebuild's failure is the rebuilt index's: the document serves as it did.
          if (!REBUILD_ORIGIN.equals(run.origin())) {
            Documents.storeFailed(h, source(run, item), item.title(), reason);
          }
          IngestionItems.markFailed(h, run.runId(), item.seq(), reason);
        });
  }

  private static Documents.Source source(IngestionRuns.Run run, IngestionItems.Pending item) {
    return new Documents.Source(
        run.collection(), item.sourceUri(), run.origin(), item.externalId(), item.contentHash());
  }

  private BatchOutcome outcome(String runId, int fromSeq, int toSeq) {
    int done = 0;
    int failed = 0;
    int chunks = 0;
    List<ItemError> errors = new ArrayList<>();
    for (IngestionItems.Finished item : items.finished(runId, fromSeq, toSeq)) {
      if (item.done()) {
        done++;
        chunks += item.chunkCount();
      } else {
        failed++;
        errors.add(
            new ItemError(
                Documents.shownSource(item.sourceUri(), item.externalId()), item.error()));
      }
    }
    return new BatchOutcome(done, failed, chunks, errors);
  }
}
