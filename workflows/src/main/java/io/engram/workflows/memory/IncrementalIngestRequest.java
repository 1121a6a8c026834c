package io.engram.workflows.memory;

import java.util.List;

/** The directories to re-ingest, each into its collection. */
public record IncrementalIngestRequest(List<IngestSource> sources) {
  public IncrementalIngestRequest {
    sources = sources == null ? List.of() : List.copyOf(sources);
  }
}
