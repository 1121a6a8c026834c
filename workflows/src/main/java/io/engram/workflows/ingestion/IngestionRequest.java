package io.engram.workflows.ingestion;

/**
 * What to ingest. Exactly one of {@code path} (read on the worker's host) and {@code manifestId}
 * (files uploaded to the blob store) is set. Carries ids only, never document content.
 *
 * @param collection target collection
 * @param origin the directory or file the documents come from, as the user named it; documents of
 *     the same origin that disappear are tombstoned on the next run
 * @param path server-side path, or null
 * @param manifestId upload manifest id, or null
 * @param chunkSize chunk size override, or null for the champion's
 * @param chunkOverlap chunk overlap override, or null for the champion's
 */
public record IngestionRequest(
    String collection,
    String origin,
    String path,
    String manifestId,
    Integer chunkSize,
    Integer chunkOverlap) {

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
