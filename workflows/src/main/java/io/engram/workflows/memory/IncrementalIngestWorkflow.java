package io.engram.workflows.memory;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Re-ingests the configured source directories, daily by the {@code engram-incremental-ingest}
 * schedule. Each directory runs as a child {@code IngestionWorkflow} with the id every client uses
 * for that source, so unchanged documents are skipped and a running ingestion is never raced.
 */
@WorkflowInterface
public interface IncrementalIngestWorkflow {

  @WorkflowMethod
  IncrementalIngestResult ingest(IncrementalIngestRequest request);

  @QueryMethod
  IncrementalIngestResult progress();
}
