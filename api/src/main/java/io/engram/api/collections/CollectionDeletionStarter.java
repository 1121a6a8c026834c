package io.engram.api.collections;

import io.engram.api.auth.Caller;
import io.engram.api.problems.CleanText;
import io.engram.api.problems.Problems;
import io.engram.api.temporal.WorkflowRun;
import io.engram.contract.Collections;
import io.engram.contract.Collections.DeletionStarted;
import io.engram.contract.Collections.DeletionStatus;
import io.engram.core.CoreServices;
import io.engram.core.collection.CollectionDeletion;
import io.engram.core.collection.CollectionRegistry;
import io.engram.core.rollout.Rollout;
import io.engram.workflows.collection.CollectionDeletionProgress;
import io.engram.workflows.collection.CollectionDeletionResult;
import io.engram.workflows.collection.CollectionDeletionWorkflow;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowExecutionMetadata;
import io.temporal.client.WorkflowServiceException;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * Starts or follows the deletion of a caller's collection ({@link CollectionDeletionWorkflow}).
 * Refuses (409) while anything else works on the collection: its running rollout (in the database,
 * which routes its queries), or any running workflow of the collection (Temporal's visibility, by
 * the {@code EngramCollection} search attribute: ingestions, evaluations, retrainings, rollouts,
 * drift checks). Then it marks the collection as being deleted itself, before it starts the
 * workflow (whose first step marks it again, idempotently): from the 202 on, nothing finds the
 * collection and nothing recreates it, even before a worker takes the deletion up.
 */
@Singleton
class CollectionDeletionStarter {
  private static final WorkflowRun.Kind KIND =
      new WorkflowRun.Kind("collection deletion", CollectionDeletionWorkflow.class.getSimpleName());

  /** What a run reports before a worker has picked it up (queries need a worker). */
  static final String WAITING_FOR_WORKER = "waiting-for-worker";

  static final String FAILED = "failed";

  /** How long a deletion waits for an earlier collection's deletion, past its last step, to end. */
  static final Duration CLOSING_WAIT = Duration.ofSeconds(10);

  /** What to do about a running workflow of each type, by workflow type. */
  private static final Map<String, String> ADVICE =
      Map.of(
          "RolloutWorkflow", "abort the rollout first (./engram rollout abort)",
          "RetrainingWorkflow", "wait for the retraining to end",
          "IngestionWorkflow", "wait for the ingestion to end, or cancel it in the Temporal UI",
          "EvaluationWorkflow", "wait for the evaluation to end, or cancel it in the Temporal UI");

  private final WorkflowClient client;
  private final CollectionRegistry collections;
  private final CollectionDeletion deletion;

  CollectionDeletionStarter(WorkflowClient client, CoreServices core) {
    this.client = client;
    this.collections = core.collections();
    this.deletion = core.collectionDeletion();
  }

  /**
   * Starts the deletion of the caller's collection {@code name}, or attaches to the one running.
   * 404 when the caller has no such collection, 409 while something else works on it.
   */
  DeletionStarted start(Caller caller, String name) {
    CleanText.require("collection", name);
    String key = caller.collection("collection", name);
    CollectionRegistry.State state = collections.state(key);
    if (state == CollectionRegistry.State.ABSENT) {
      throw Problems.notFound("collection", "no collection '" + name + "'");
    }
    boolean markedNow = state == CollectionRegistry.State.ACTIVE;
    if (markedNow) {
      refuseWhileBusy(key, name);
      deletion.begin(key);
    }
    return WorkflowRun.start(
        "the collection deletion workflow",
        () -> {
          try {
            return new DeletionStarted(start(key).getWorkflowId(), name);
          } catch (WorkflowExecutionAlreadyStarted e) {
            if (!markedNow) {
              // Its deletion runs: this request attaches to it.
              return new DeletionStarted(e.getExecution().getWorkflowId(), name);
            }
            // The collection was in use, so the run under its workflow id is the closing step of
            // an earlier collection of the same name (its row is already gone): start this one's
            // once that run has ended, rather than attach to it and leave this one marked.
            awaitClosed(e.getExecution().getWorkflowId());
            return new DeletionStarted(start(key).getWorkflowId(), name);
          }
        });
  }

  private WorkflowExecution start(String key) {
    CollectionDeletionWorkflow workflow =
        client.newWorkflowStub(
            CollectionDeletionWorkflow.class, CollectionDeletionWorkflow.startOptions(key));
    return WorkflowClient.start(workflow::delete, key);
  }

  /** Waits, at most {@link #CLOSING_WAIT}, for the run of {@code workflowId} to end. */
  private void awaitClosed(String workflowId) {
    try {
      client
          .newUntypedWorkflowStub(workflowId)
          .getResult(CLOSING_WAIT.toMillis(), TimeUnit.MILLISECONDS, Object.class);
    } catch (TimeoutException e) {
      throw Problems.unavailable(
          "the deletion of an earlier collection of this name is still closing; try again in a"
              + " moment");
    } catch (RuntimeException e) {
      // It ended otherwise than completed: a new run may start all the same.
    }
  }

  /** 409 naming what works on the collection and what to do about it. */
  private void refuseWhileBusy(String key, String name) {
    Optional<Rollout> rollout = deletion.runningRollout(key);
    if (rollout.isPresent()) {
      throw Problems.conflict(
          "collection '"
              + name
              + "' has a running rollout ("
              + rollout.get().workflowId()
              + "); abort it first (./engram rollout abort "
              + rollout.get().workflowId()
              + ", or POST /v1/rollouts/"
              + rollout.get().workflowId()
              + ":abort), then delete the collection");
    }
    List<WorkflowExecutionMetadata> running = running(key);
    if (!running.isEmpty()) {
      throw Problems.conflict(
          "collection '"
              + name
              + "' has running work: "
              + running.stream()
                  .map(
                      w ->
                          w.getWorkflowType()
                              + " "
                              + w.getExecution().getWorkflowId()
                              + " ("
                              + ADVICE.getOrDefault(w.getWorkflowType(), "wait for it to end")
                              + ")")
                  .collect(Collectors.joining("; "))
              + "; delete the collection once nothing runs on it");
    }
  }

  /** The collection's running workflows but its deletion, by Temporal's visibility. */
  private List<WorkflowExecutionMetadata> running(String key) {
    String query =
        "EngramCollection = '"
            + key
            + "' AND ExecutionStatus = 'Running' AND WorkflowType != '"
            + KIND.workflowType()
            + "'";
    try {
      return client.listExecutions(query).limit(10).toList();
    } catch (WorkflowServiceException | io.grpc.StatusRuntimeException e) {
      throw Problems.unavailable(
          "cannot ask Temporal what runs on the collection (is Temporal up?): " + e.getMessage());
    }
  }

  /** Where the deletion of the caller's collection {@code name} stands; 404 when none ran. */
  DeletionStatus status(Caller caller, String name) {
    CleanText.require("collection", name);
    String key = caller.collection("collection", name);
    String workflowId = CollectionDeletionWorkflow.workflowId(key);
    WorkflowRun run = WorkflowRun.describe(client, workflowId, KIND, caller.tenant());
    if (run.running()) {
      CollectionDeletionProgress p =
          run.progress(
              CollectionDeletionProgress.class,
              new CollectionDeletionProgress(WAITING_FOR_WORKER, null, Map.of()));
      return new DeletionStatus(
          workflowId, name, run.statusName(), p.stage(), p.kind(), p.deleted(), null);
    }
    if (run.status() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED) {
      CollectionDeletionResult result = run.result(CollectionDeletionResult.class);
      return new DeletionStatus(
          workflowId,
          name,
          run.statusName(),
          CollectionDeletionProgress.DONE,
          null,
          deletedRows(result),
          null);
    }
    return new DeletionStatus(
        workflowId,
        name,
        run.statusName(),
        FAILED,
        null,
        Map.of(),
        run.failureReason().orElse(null));
  }

  /**
   * The rows a completed deletion deleted by kind: the workflow's counts, and last the collection's
   * own row when the run removed it, so that the total a client shows counts it too.
   */
  private static Map<String, Long> deletedRows(CollectionDeletionResult result) {
    if (!result.removed()) {
      return result.deleted();
    }
    Map<String, Long> rows = new LinkedHashMap<>(result.deleted());
    rows.put(Collections.COLLECTION_ROW, 1L);
    return rows;
  }
}
