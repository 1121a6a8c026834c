package io.engram.core.ingestion;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * Where a document's bytes are: a file on the worker's filesystem or an uploaded blob, optionally a
 * byte range inside it (one line of a JSONL corpus). Stored as JSON in {@code ingestion_items}.
 *
 * @param kind {@code file} or {@code blob}
 * @param ref the file path or the blob's sha256
 * @param name the file name, which decides the document type
 * @param offset first byte of the range, or -1 for the whole file
 * @param length bytes in the range, or -1 for the whole file
 */
public record Locator(String kind, String ref, String name, long offset, int length) {
  public static final String FILE = "file";
  public static final String BLOB = "blob";

  public Locator {
    if (!FILE.equals(kind) && !BLOB.equals(kind)) {
      throw new IllegalArgumentException("locator kind must be file or blob, got " + kind);
    }
  }

  @JsonIgnore
  public boolean isRange() {
    return offset >= 0;
  }
}
