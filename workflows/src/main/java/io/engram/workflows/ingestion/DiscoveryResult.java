package io.engram.workflows.ingestion;

import java.util.List;

/**
 * What discovery found: {@code total} documents in the source, {@code skipped} unchanged, {@code
 * pending} to process (items numbered 0..pending-1), {@code tombstoned} removed because they are
 * gone from the source ({@code tombstonedSample} names the first few), {@code duplicates} records
 * the source listed again under a source already listed (two lines of a JSONL corpus with one
 * {@code _id}), of which only the first is ingested ({@code duplicateSample} names the first few).
 */
public record DiscoveryResult(
    int indexVersionId,
    int total,
    int skipped,
    int pending,
    int tombstoned,
    List<String> tombstonedSample,
    int duplicates,
    List<String> duplicateSample) {

  public DiscoveryResult {
    // Absent from the results of runs recorded before duplicates were reported.
    duplicateSample = duplicateSample == null ? List.of() : duplicateSample;
  }

  /** A discovery that found no source listed twice. */
  public DiscoveryResult(
      int indexVersionId,
      int total,
      int skipped,
      int pending,
      int tombstoned,
      List<String> tombstonedSample) {
    this(indexVersionId, total, skipped, pending, tombstoned, tombstonedSample, 0, List.of());
  }
}
