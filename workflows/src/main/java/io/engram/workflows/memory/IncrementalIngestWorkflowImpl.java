package io.engram.workflows.memory;

import io.engram.workflows.common.EngramSearchAttributes;
import io.engram.workflows.common.TaskQueues;
import io.engram.workflows.ingestion.IngestionProgress;
import io.engram.workflows.ingestion.IngestionRequest;
import io.engram.workflows.ingestion.IngestionWorkflow;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.common.SearchAttributes;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.List;

/**
 * One child ingestion per directory, one after the other: each already spreads its own batches over
 * both cores, so running several at once would only make them compete.
 */
public class IncrementalIngestWorkflowImpl implements IncrementalIngestWorkflow {

  private final List<IngestOutcome> outcomes = new ArrayList<>();

  @Override
  public IncrementalIngestResult ingest(IncrementalIngestRequest request) {
    Workflow.upsertTypedSearchAttributes(
        EngramSearchAttributes.JOB_TYPE.valueSet(MemoryJobs.INCREMENTAL_INGEST),
        EngramSearchAttributes.BATCH.valueSet(MemoryJobs.batchLabel(Workflow.currentTimeMillis())));
    for (IngestSource source : request.sources()) {
      String workflowId = IngestionWorkflow.workflowId(source.collection(), source.path());
      IngestionWorkflow child =
          Workflow.newChildWorkflowStub(
              IngestionWorkflow.class,
              ChildWorkflowOptions.newBuilder()
                  .setWorkflowId(workflowId)
                  .setTaskQueue(TaskQueues.INGEST)
                  // An ingestion that has started finishes even if this run is terminated.
                  .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_ABANDON)
                  .setTypedSearchAttributes(
                      SearchAttributes.newBuilder()
                          .set(EngramSearchAttributes.COLLECTION, source.collection())
                          .set(EngramSearchAttributes.SOURCE, source.path())
                          .set(EngramSearchAttributes.JOB_TYPE, MemoryJobs.INCREMENTAL_INGEST)
                          .build())
                  .setStaticSummary(
                      "Incremental ingestion of " + source.path() + " into " + source.collection())
                  .build());
      try {
        IngestionProgress p =
            child.ingest(
                new IngestionRequest(
                    source.collection(), source.path(), source.path(), null, null, null));
        outcomes.add(
            new IngestOutcome(
                source.collection(),
                source.path(),
                "completed",
                workflowId,
                p.total(),
                p.done(),
                p.skipped(),
                p.failed(),
                p.tombstoned(),
                null));
      } catch (ChildWorkflowFailure failure) {
        outcomes.add(failed(source, workflowId, failure));
      }
      Workflow.setCurrentDetails(outcomes.size() + " of " + request.sources().size() + " sources");
    }
    return progress();
  }

  private static IngestOutcome failed(
      IngestSource source, String workflowId, ChildWorkflowFailure failure) {
    // A running ingestion of the same source holds the child's id, so the child never started: the
    // SDK gives that start failure as the cause (AbandonedChildren.awaitStart relies on it too).
    if (failure.getCause() instanceof WorkflowExecutionAlreadyStarted) {
      return new IngestOutcome(
          source.collection(), source.path(), "already-running", workflowId, 0, 0, 0, 0, 0, null);
    }
    String message = null;
    for (Throwable t = failure.getCause(); t != null; t = t.getCause()) {
      if (t instanceof ApplicationFailure application) {
        message = application.getOriginalMessage();
        break;
      }
    }
    return new IngestOutcome(
        source.collection(),
        source.path(),
        "failed",
        workflowId,
        0,
        0,
        0,
        0,
        0,
        message != null ? message : String.valueOf(failure.getMessage()));
  }

  @Override
  public IncrementalIngestResult progress() {
    return new IncrementalIngestResult(outcomes);
  }
}
