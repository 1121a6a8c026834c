package io.engram.workflows.memory;

import java.util.List;

/**
 * What distilling one batch of turns did: ids and counts, never the facts' text.
 *
 * @param toTurnId the last turn of the batch
 * @param storedIds new facts
 * @param mergedIds existing facts that absorbed a restatement
 * @param supersededIds facts the batch's facts replaced
 * @param extractor {@code local} or {@code llm:<model>}
 * @param replayed true when the batch had been distilled before (a retry) and this is its record
 */
public record DistillationBatchResult(
    long toTurnId,
    List<Long> storedIds,
    List<Long> mergedIds,
    List<Long> supersededIds,
    String extractor,
    boolean replayed) {

  public DistillationBatchResult {
    storedIds = storedIds == null ? List.of() : List.copyOf(storedIds);
    mergedIds = mergedIds == null ? List.of() : List.copyOf(mergedIds);
    supersededIds = supersededIds == null ? List.of() : List.copyOf(supersededIds);
  }
}
