package io.engram.core.ingestion;

import io.engram.core.index.IndexVersion;
import io.engram.core.index.IndexVersions;
import io.engram.core.store.PgVectorChunkStore;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import org.jdbi.v3.core.Jdbi;

/**
 * The last step of an ingestion run: checks what the run stored against the index version it wrote,
 * as searches will see it, rather than trusting the run's own counts.
 *
 * <ul>
 *   <li>Every document the run stored, and whose content that version still holds, has all the
 *       chunks recorded for it. One that does not (chunks deleted behind the run's back, an index
 *       dropped while it ran) is failed with the reason, and the version forgets it holds that
 *       content, so the next ingestion stores it again rather than skipping it as unchanged.
 *   <li>A spread of those documents is found again: the first chunk of each must be among the
 *       {@value #PROBE_DEPTH} nearest to its own vector, searched the way the query path searches.
 *       A miss is the index's problem (its HNSW graph, the search settings), not a document's.
 *   <li>The version's HNSW index exists and is valid; without it every search reads every chunk.
 * </ul>
 *
 * <p>Reads only, but for the failed documents' records, which it changes in one transaction each;
 * running it again finds nothing more to fail, so a retried activity is safe.
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
   * @throws IllegalStateException when the run or its index version is unknown
   */
  public Report validate(String runId, IntConsumer heartbeat) {
    IngestionRuns.Run run =
        runs.find(runId)
            .orElseThrow(
                () ->
                    new IllegalStateException("ingestion run " + runId + " was never discovered"));
    IndexVersion version =
        indexVersions
            .byId(run.indexVersionId())
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "index version " + run.indexVersionId() + " of run " + runId + " is gone"));
    int count = items.count(runId);
    int checked = 0;
    int incomplete = 0;
    List<IngestionService.ItemError> errors = new ArrayList<>();
    List<IngestionItems.Stored> probes = new ArrayList<>();
    for (int from = 0; from < count; from += PAGE) {
      for (IngestionItems.Stored item : items.stored(runId, from, Math.min(count, from + PAGE))) {
        checked++;
        if (item.held() != item.recorded()) {
          String reason =
              "index version %s holds %d of the %d chunks stored for it; the next ingestion stores it again"
                  .formatted(version.name(), item.held(), item.recorded());
          if (fail(run, item, reason) && ++incomplete <= MAX_LISTED) {
            errors.add(
                new IngestionService.ItemError(
                    IngestionService.displaySource(item.sourceUri(), item.externalId()), reason));
          }
        } else if (item.recorded() > 0
            && probes.size() < PROBES
            && item.seq() >= (long) probes.size() * count / PROBES) {
          probes.add(item);
        }
      }
      heartbeat.accept(from);
    }
    int unreachable = 0;
    for (IngestionItems.Stored probe : probes) {
      if (!found(run.collection(), version, probe)) {
        unreachable++;
      }
    }
    List<String> problems = new ArrayList<>();
    if (unreachable > 0) {
      problems.add(
          ("%d of the %d documents probed were not among the %d nearest chunks to their own first"
                  + " chunk in index version %s, so searches miss stored documents; check its HNSW"
                  + " index and hnsw.ef_search")
              .formatted(unreachable, probes.size(), PROBE_DEPTH, version.name()));
    }
    IndexVersions.HnswIndex hnswIndex = indexVersions.hnswIndex(version);
    switch (hnswIndex) {
      case MISSING ->
          problems.add(
              "index version %s has no HNSW index, so every search of it reads all its chunks; create it: %s"
                  .formatted(version.name(), IndexVersions.createHnswIndex(version)));
      case INVALID ->
          problems.add(
              "the HNSW index of index version %s is invalid (a build that failed), so searches read all its chunks; rebuild it: REINDEX INDEX %s"
                  .formatted(version.name(), IndexVersions.hnswIndexName(version)));
      case VALID -> {}
    }
    return new Report(checked, incomplete, errors, probes.size(), unreachable, hnswIndex, problems);
  }

  /**
   * Fails the item and has the index version forget the content, in one transaction; false when the
   * version no longer claims that content (stored again meanwhile), which leaves both alone.
   */
  private boolean fail(IngestionRuns.Run run, IngestionItems.Stored item, String reason) {
    return jdbi.inTransaction(
        h -> {
          if (!DocumentIndexes.forget(
              h, item.documentId(), run.indexVersionId(), item.contentHash())) {
            return false;
          }
          IngestionItems.markFailed(h, run.runId(), item.seq(), reason);
          return true;
        });
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
