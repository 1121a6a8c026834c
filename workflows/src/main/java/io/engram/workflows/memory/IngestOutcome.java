package io.engram.workflows.memory;

/**
 * How one directory's re-ingestion ended.
 *
 * @param status {@code completed}, {@code failed}, or {@code already-running} when an ingestion of
 *     the same source was in progress (it is left alone, not raced)
 * @param workflowId the ingestion workflow's id
 * @param error why it failed, or null
 */
public record IngestOutcome(
    String collection,
    String path,
    String status,
    String workflowId,
    int total,
    int done,
    int skipped,
    int failed,
    int tombstoned,
    String error) {}
