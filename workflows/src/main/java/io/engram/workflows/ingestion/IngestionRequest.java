package io.engram.workflows.ingestion;

/**
 * What to ingest. Exactly one of {@code path} (read on the worker's host) and {@code manifestId}
 * (files uploaded to the blob store) is set. Carries ids only, never document content.
 *
 * @param collection target collection
 * @param origin the directory or file the documents come from, as the user named it; documents of
 *     the same origin, or under it, that disappear are tombstoned on the next run
 * @param path server-side path, or null
 * @param manifestId upload manifest id, or null
 * @param chunkSize chunk size override, or null for the champion's
 * @param chunkOverlap chunk overlap override, or null for the champion's
 * @param resume null for a new ingestion; where the run it continues (as new) stopped
 */
public record IngestionRequest(
    String collection,
    String origin,
    String path,
    String manifestId,
    Integer chunkSize,
    Integer chunkOverlap,
    Resume resume) {

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
    this(collection, origin, path, manifestId, chunkSize, chunkOverlap, null);
  }

  /** This request, continued from {@code resume}. */
  public IngestionRequest resumingAt(Resume resume) {
    return new IngestionRequest(
        collection, origin, path, manifestId, chunkSize, chunkOverlap, resume);
  }

  public IngestionRequest {
    if (collection == null || collection.isBlank()) {
      throw new IllegalArgumentException("collection is required");
    }
    if (origin == null || origin.isBlank()) {
      throw new IllegalArgumentException("origin is required");
    }
    if ((path == null) == (manifestId == null)) {
      throw new IllegalArgumentException("exactly one of path and manifestId must be set");
    }
  }
}
