package io.engram.workflows.ingestion;

import io.engram.workflows.common.EngramSearchAttributes;
import io.engram.workflows.common.TaskQueues;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.SearchAttributes;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/** Ingests a directory, file or JSONL corpus into a collection, durably and incrementally. */
@WorkflowInterface
public interface IngestionWorkflow {
  /** Failed documents listed in progress; the {@code failed} count is always exact. */
  int MAX_ERRORS = 200;

  @WorkflowMethod
  IngestionProgress ingest(IngestionRequest request);

  @QueryMethod
  IngestionProgress progress();

  /**
   * How every client starts an ingestion: the stable id, the task queue, the conflict policy that
   * makes a second request for a running source attach to it, and the search attributes operators
   * filter on.
   */
  static WorkflowOptions startOptions(String collection, String origin) {
    return WorkflowOptions.newBuilder()
        .setWorkflowId(workflowId(collection, origin))
        .setTaskQueue(TaskQueues.INGEST)
        .setWorkflowIdConflictPolicy(
            WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING)
        .setTypedSearchAttributes(
            SearchAttributes.newBuilder()
                .set(EngramSearchAttributes.COLLECTION, collection)
                // Keyword attributes are limited in size; the prefix is what operators filter on.
                .set(
                    EngramSearchAttributes.SOURCE,
                    origin.length() <= 1000 ? origin : origin.substring(0, 1000))
                .build())
        .build();
  }

  /**
   * The workflow id for a (collection, origin) pair: stable, so a second request for the same
   * source attaches to the running ingestion instead of racing it.
   */
  static String workflowId(String collection, String origin) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(origin.getBytes(StandardCharsets.UTF_8));
      return "ingest-"
          + collection.toLowerCase(Locale.ROOT)
          + "-"
          + HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
