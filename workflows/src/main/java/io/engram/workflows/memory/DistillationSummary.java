package io.engram.workflows.memory;

import java.util.List;

/**
 * What a distillation run (and the runs it continued) did, served by its query and returned.
 *
 * @param distilledUpTo turns up to this id have been distilled (or recorded as failed)
 * @param batches batches distilled
 * @param failedBatches batches whose extraction stayed malformed and were recorded as failed
 * @param stored new facts
 * @param merged restatements absorbed by existing facts
 * @param superseded facts replaced by newer ones
 * @param factIds ids of the newest stored facts (at most {@link #MAX_IDS})
 * @param lastError why the last failed batch failed, or why the run ended with turns still pending
 *     (extraction failing through its retries for another reason than its output), or null
 */
public record DistillationSummary(
    String sessionId,
    long distilledUpTo,
    int batches,
    int failedBatches,
    int stored,
    int merged,
    int superseded,
    List<Long> factIds,
    String lastError) {

  public static final int MAX_IDS = 100;

  public DistillationSummary {
    factIds = factIds == null ? List.of() : List.copyOf(factIds);
  }

  public static DistillationSummary empty(String sessionId) {
    return new DistillationSummary(sessionId, 0, 0, 0, 0, 0, 0, List.of(), null);
  }
}
