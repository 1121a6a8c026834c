package io.engram.workflows.memory;

import java.util.Objects;

/** A directory (on the workers' hosts) that the daily incremental ingestion re-ingests. */
public record IngestSource(String collection, String path) {
  public IngestSource {
    Objects.requireNonNull(collection, "collection");
    Objects.requireNonNull(path, "path");
  }
}
