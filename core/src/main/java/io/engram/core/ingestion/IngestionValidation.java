package io.engram.core.ingestion;

import io.engram.core.index.IndexVersion;
import io.engram.core.index.IndexVersions;
import io.engram.core.store.PgVectorChunkStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntConsumer;
import org.jdbi.v3.core.Jdbi;

/**
 * The last step of an ingestion run: checks what the run stored against the index version it wrote,
 * as searches will see it, rather than trusting the run's own counts.
 *
 * <ul>
 *   <li>Every document the run stored, and whose content that version still holds, has all the
 *       chunks recorded for it. One that does not (chunks deleted behind the run's back) is marked
 *       {@code incomplete}, failed in the run's counts with the reason, and the version forgets it,
 *       so the next run that scans its source (for a rebuilt index, the next rebuild) stores it
 *       again rather than skipping it as unchanged. Its item still records where it was read from,
 *       so rebuilds can read it again.
 *   <li>The version's HNSW index exists and is valid; without it every search reads every chunk.
 *   <li>Through that index, a spread of the complete documents is found again: the first chunk of
 *       each must be among the {@value #PROBE_DEPTH} nearest to its own vector, searched the way
 *       the query path searches. A miss is the index's problem (its HNSW graph, the search
 *       settings), not a document's.
 * </ul>
 *
 * <p>Reads only, but for the incomplete documents' records, which it changes in one transaction
 * each. Their count and reasons are read back from the items' stored state, so a retried activity
 * reports what an earlier attempt marked, and marks nothing twice.
 */
public final class IngestionValidation {
  /** Items read per query: heartbeats come between pages however large the run. */
  static final int PAGE = 2_000;

  /** Failed documents listed with their reasons; the count is always exact. */
  static final int MAX_LISTED = 200;

  /** Documents searched for, spread over the run. */
  public static final int PROBES = 16;

  /** How deep a probe's own chunk must rank. */
  public static final int PROBE_DEPTH = 10;

  /**
   * What validation found.
   *
   * @param checked documents of the run whose chunks were counted in the index version
   * @param incomplete documents it failed because the index version lacks some of their chunks
   * @param errors the first {@value #MAX_LISTED} of those, with the reason
   * @param probed documents searched for by the vector of their first chunk
   * @param unreachable probed documents the search did not find
   * @param hnswIndex the state of the index version's HNSW index
   * @param problems what is wrong with the index version itself, each saying what to do
   */
  public record Report(
      int checked,
      int incomplete,
      List<IngestionService.ItemError> errors,
      int probed,
      int unreachable,
      IndexVersions.HnswIndex hnswIndex,
      List<String> problems) {}

  private final Jdbi jdbi;
  private final IndexVersions indexVersions;
  private final PgVectorChunkStore chunks;
  private final IngestionRuns runs;
  private final IngestionItems items;

  public IngestionValidation(Jdbi jdbi, IndexVersions indexVersions, PgVectorChunkStore chunks) {
    this.jdbi = jdbi;
    this.indexVersions = indexVersions;
    this.chunks = chunks;
    this.runs = new IngestionRuns(jdbi);
    this.items = new IngestionItems(jdbi);
  }

  /**
   * Validates run {@code runId}; {@code heartbeat} receives the sequence number reached.
   *
   * @throws UnknownRunException when the run or its index version is unknown: validating again
   *     cannot help
   */
  public Report validate(String runId, IntConsumer heartbeat) throws UnknownRunException {
    IngestionRuns.Run run =
        runs.find(runId)
            .orElseThrow(
                () -> new UnknownRunException("ingestion run " + runId + " was never discovered"));
    IndexVersion version =
        indexVersions
            .byId(run.indexVersionId())
            .orElseThrow(
                () ->
                    new UnknownRunException(
                        "index version " + run.indexVersionId() + " of run " + runId + " is gone"));
    boolean rebuild = IngestionService.REBUILD_ORIGIN.equals(run.origin());
    int count = items.count(runId);
    int complete = 0;
    List<IngestionItems.Stored> probes = new ArrayList<>();
    int lastBucket = -1;
    for (int from = 0; from < count; from += PAGE) {
      int to = Math.min(count, from + PAGE);
      for (IngestionItems.Stored item : items.stored(runId, from, to)) {
        if (item.held() < item.recorded() && markIncomplete(run, version, rebuild, item)) {
          continue;
        }
        complete++;
        // One probe per sixteenth of the run's items, the first complete one in it.
        int bucket = (int) ((long) item.seq() * PROBES / count);
        if (item.recorded() > 0 && bucket > lastBucket) {
          probes.add(item);
          lastBucket = bucket;
        }
      }
      heartbeat.accept(to - 1);
    }
    List<String> problems = new ArrayList<>();
    IndexVersions.HnswIndex hnswIndex = indexVersions.hnswIndex(version);
    int probed = 0;
    int unreachable = 0;
    switch (hnswIndex) {
      case MISSING ->
          problems.add(
              "index version %s has no HNSW index, so every search of it reads all its chunks; create it: %s"
                  .formatted(
                      version.name(),
                      IndexVersions.createHnswIndex(version)
                          .replace("CREATE INDEX", "CREATE INDEX CONCURRENTLY")));
      case INVALID ->
          problems.add(
              "the HNSW index of index version %s is invalid (a build that failed), so searches read all its chunks; rebuild it: REINDEX INDEX CONCURRENTLY %s"
                  .formatted(version.name(), IndexVersions.hnswIndexName(version)));
      case VALID -> {
        // Probed only through a usable HNSW index: without one, a search reads every chunk,
        // finds what it looks for, and proves nothing.
        for (IngestionItems.Stored probe : probes) {
          probed++;
          if (!found(run.collection(), version, probe)) {
            unreachable++;
          }
          heartbeat.accept(probe.seq());
        }
      }
    }
    if (unreachable > 0) {
      problems.add(
          ("%d of the %d documents probed were not among the %d nearest chunks to their own first"
                  + " chunk in index version %s, so searches miss stored documents; check its HNSW"
                  + " index and hnsw.ef_search")
              .formatted(unreachable, probed, PROBE_DEPTH, version.name()));
    }
    // Counted from the items' stored state, so a retry after an attempt that marked some of them
    // reports them too.
    int incomplete = items.countIncomplete(runId);
    List<IngestionService.ItemError> errors =
        items.incomplete(runId, MAX_LISTED).stream()
            .map(
                i ->
                    new IngestionService.ItemError(
                        Documents.shownSource(i.sourceUri(), i.externalId()), i.error()))
            .toList();
    return new Report(
        complete + incomplete, incomplete, errors, probed, unreachable, hnswIndex, problems);
  }

  /**
   * Marks the item incomplete and has the index version forget the document, in one transaction
   * that first locks the document and the version's record of it and counts its chunks again; false
   * when they now agree (a run stored the same content again meanwhile) or the record moved on to
   * other content, which leaves everything alone. A rebuild's document serves as it did; a document
   * stored by an ingestion records the reason as its error.
   */
  private boolean markIncomplete(
      IngestionRuns.Run run, IndexVersion version, boolean rebuild, IngestionItems.Stored item) {
    String reason =
        "index version %s holds %d of the %d chunks stored for it; %s"
            .formatted(
                version.name(),
                item.held(),
                item.recorded(),
                rebuild
                    ? "the next rebuild of that index stores it again"
                    : "the next ingestion of its source stores it again");
    return jdbi.inTransaction(
        h -> {
          // The document's row first, as every writer of a document and its index records locks
          // them (a run storing it, a removal), so none of them waits on another in a circle.
          if (Documents.lock(h, run.collection(), item.documentId()).isEmpty()) {
            return false;
          }
          Optional<Integer> recorded =
              DocumentIndexes.lockRecorded(
                  h, item.documentId(), run.indexVersionId(), item.contentHash());
          if (recorded.isEmpty()
              || recorded.get()
                  <= PgVectorChunkStore.countOfDocument(
                      h, item.documentId(), run.indexVersionId())) {
            return false;
          }
          DocumentIndexes.forget(h, item.documentId(), run.indexVersionId());
          IngestionItems.markIncomplete(h, run.runId(), item.seq(), item.recorded(), reason);
          if (!rebuild) {
            Documents.recordError(h, item.documentId(), reason);
          }
          return true;
        });
  }

  /** The run or its index version is unknown. */
  public static final class UnknownRunException extends Exception {
    UnknownRunException(String message) {
      super(message);
    }
  }

  /**
   * Whether a search for the document's first chunk by its own vector finds it (or a chunk of the
   * same text, whose vector is the same).
   */
  private boolean found(String collection, IndexVersion version, IngestionItems.Stored probe) {
    return chunks
        .first(probe.documentId(), version.id())
        .map(
            chunk ->
                chunks.nearest(version, collection, chunk.embedding(), PROBE_DEPTH).stream()
                    .anyMatch(
                        hit -> hit.chunkId() == chunk.chunkId() || hit.text().equals(chunk.text())))
        // Its chunks went since they were counted: the next run's to answer for.
        .orElse(true);
  }
}
