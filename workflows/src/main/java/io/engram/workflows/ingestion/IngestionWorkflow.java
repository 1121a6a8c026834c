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
import java.util.Map;

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
   * The memo key holding what a run was asked to ingest, as a fingerprint (the files and their
   * hashes, or the path, and the chunking): a second request for the same running source attaches
   * to the run only when it asks the same, so nothing it sent is silently dropped.
   */
  String REQUEST_MEMO = "request";

  /**
   * How every client starts an ingestion: the stable id, the task queue, the conflict policy that
   * makes a second request for a running source attach to it, and the search attributes operators
   * filter on.
   */
  static WorkflowOptions startOptions(String collection, String origin) {
    return startOptions(collection, origin, null);
  }

  /**
   * As {@link #startOptions(String, String)}, with the request's fingerprint in the memo ({@link
   * #REQUEST_MEMO}) when it is not null.
   */
  static WorkflowOptions startOptions(String collection, String origin, String request) {
    WorkflowOptions.Builder options = WorkflowOptions.newBuilder();
    if (request != null) {
      options.setMemo(Map.of(REQUEST_MEMO, request));
    }
    return options
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
