package io.engram.workflows.ingestion;

import java.util.List;

/**
 * What discovery found: {@code total} documents in the source, {@code skipped} unchanged, {@code
 * pending} to process (items numbered 0..pending-1), {@code tombstoned} removed because they are
 * gone from the source ({@code tombstonedSample} names the first few).
 */
public record DiscoveryResult(
    int indexVersionId,
    int total,
    int skipped,
    int pending,
    int tombstoned,
    List<String> tombstonedSample) {}
