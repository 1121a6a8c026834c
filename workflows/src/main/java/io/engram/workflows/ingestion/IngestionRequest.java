package io.engram.workflows.ingestion;

/**
 * What to ingest. Exactly one source is given: {@code path} (read on the worker's host), {@code
 * manifestId} (files uploaded to the blob store), or {@code rebuild} (the collection's live
 * documents, read again from where earlier runs read them, into the index version of the given
 * model and chunking: how a retraining builds a candidate index). Carries ids only, never document
 * content.
 *
 * @param collection target collection
 * @param origin the directory or file the documents come from, as the user named it; documents of
 *     the same origin, or under it, that disappear are tombstoned on the next run
 * @param path server-side path, or null
 * @param manifestId upload manifest id, or null
 * @param chunkSize chunk size override, or null for the champion's
 * @param chunkOverlap chunk overlap override, or null for the champion's
 * @param resume null for a new ingestion; where the run it continues (as new) stopped
 * @param rebuild true to rebuild the collection's live documents (no path or manifest); they keep
 *     their own origins and nothing is tombstoned. Null (histories recorded before it) is false
 * @param embeddingModel embedding model override, or null for the model of the index the collection
 *     is served from (and in histories recorded before it)
 */
public record IngestionRequest(
    String collection,
    String origin,
    String path,
    String manifestId,
    Integer chunkSize,
    Integer chunkOverlap,
    Resume resume,
    Boolean rebuild,
    String embeddingModel) {

  /** The origin a rebuild of the collection's documents runs under (never a document's). */
  public static final String REBUILD_ORIGIN = "(rebuild)";

  /**
   * Where a run that continued as new stopped: what it discovered and counted so far.
   *
   * @param runKey the first run's id, which its stored items are keyed by
   * @param nextSeq the first item not handed to a batch yet
   * @param pending how many items discovery left to process
   * @param soFar the progress counted so far (phase aside)
   */
  public record Resume(String runKey, int nextSeq, int pending, IngestionProgress soFar) {}

  /** A new ingestion. */
  public IngestionRequest(
      String collection,
      String origin,
      String path,
      String manifestId,
      Integer chunkSize,
      Integer chunkOverlap) {
    this(collection, origin, path, manifestId, chunkSize, chunkOverlap, null, null, null);
  }

  /**
   * A rebuild of the collection's live documents into the index version {@code index} names (each
   * null parameter: the serving index's).
   */
  public static IngestionRequest rebuild(String collection, IndexParams index) {
    return new IngestionRequest(
        collection,
        REBUILD_ORIGIN,
        null,
        null,
        index.chunkSize(),
        index.chunkOverlap(),
        null,
        true,
        index.embeddingModel());
  }

  /** This request, continued from {@code resume}. */
  public IngestionRequest resumingAt(Resume resume) {
    return new IngestionRequest(
        collection,
        origin,
        path,
        manifestId,
        chunkSize,
        chunkOverlap,
        resume,
        rebuild,
        embeddingModel);
  }

  /** Whether this rebuilds the collection's documents rather than reading a source. */
  public boolean rebuilds() {
    return Boolean.TRUE.equals(rebuild);
  }

  public IngestionRequest {
    if (collection == null || collection.isBlank()) {
      throw new IllegalArgumentException("collection is required");
    }
    if (origin == null || origin.isBlank()) {
      throw new IllegalArgumentException("origin is required");
    }
    int sources =
        (path == null ? 0 : 1)
            + (manifestId == null ? 0 : 1)
            + (Boolean.TRUE.equals(rebuild) ? 1 : 0);
    if (sources != 1) {
      throw new IllegalArgumentException("exactly one of path, manifestId and rebuild must be set");
    }
    if (REBUILD_ORIGIN.equals(origin) != Boolean.TRUE.equals(rebuild)) {
      throw new IllegalArgumentException(
          "origin '" + REBUILD_ORIGIN + "' is a rebuild's, and a rebuild's origin is only that");
    }
  }
}
