package io.engram.workflows.memory;

import java.util.List;

/** One outcome per configured directory, in the configured order. */
public record IncrementalIngestResult(List<IngestOutcome> outcomes) {
  public IncrementalIngestResult {
    outcomes = outcomes == null ? List.of() : List.copyOf(outcomes);
  }
}
