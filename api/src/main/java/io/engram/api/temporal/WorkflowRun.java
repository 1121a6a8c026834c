package io.engram.api.temporal;

import io.engram.api.problems.ApiProblem;
import io.engram.api.problems.Problems;
import io.engram.core.tenant.Tenant;
import io.engram.workflows.common.EngramSearchAttributes;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowException;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowServiceException;
import io.temporal.client.WorkflowStub;
import io.temporal.common.SearchAttributeKey;
import io.temporal.failure.ApplicationFailure;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The latest run of a workflow, as the API's endpoints start and read runs through Temporal.
 * Temporal's errors become problems: an unknown workflow id is a 404 of the caller's kind, a
 * Temporal that cannot be reached a 503.
 */
public final class WorkflowRun {
  private static final String STATUS_PREFIX = "WORKFLOW_EXECUTION_STATUS_";

  /** A run's history before a worker completes its first task: started, task scheduled, started. */
  private static final long EVENTS_BEFORE_A_WORKER = 3;

  private final WorkflowStub stub;
  private final WorkflowExecutionDescription description;

  private WorkflowRun(WorkflowStub stub, WorkflowExecutionDescription description) {
    this.stub = stub;
    this.description = description;
  }

  /**
   * Starts a workflow, answering 503 when Temporal does not take it.
   *
   * @param what what is started, for the problem's detail, e.g. {@code the ingestion workflow}
   * @param start calls Temporal and returns what the caller needs of the started run
   */
  public static <T> T start(String what, Supplier<T> start) {
    try {
      return start.get();
    } catch (WorkflowServiceException e) {
      throw Problems.unavailable("cannot start " + what + " (is Temporal up?): " + e.getMessage());
    }
  }

  /**
   * What an endpoint reads runs of.
   *
   * @param name the endpoint's word for it, e.g. {@code ingestion}: an unknown id answers 404
   *     {@code no ingestion workflow '…'} of type {@code ingestion-not-found}
   * @param workflowType the Temporal workflow type of its runs, e.g. {@code IngestionWorkflow}
   */
  public record Kind(String name, String workflowType) {}

  /**
   * The latest run of {@code workflowId}, if it is a run of {@code kind} and {@code tenant}'s: its
   * collection (the {@code EngramCollection} search attribute each workflow of a collection is
   * started with) is one of the tenant's. Another tenant's run, a run of no collection or of
   * another workflow type answer the same 404 as an unknown id, so a workflow id reveals nothing
   * across tenants and one endpoint never reads another's runs as its own.
   */
  public static WorkflowRun describe(
      WorkflowClient client, String workflowId, Kind kind, Tenant tenant) {
    return find(client, workflowId, kind, tenant).orElseThrow(() -> notFound(kind, workflowId));
  }

  /** As {@link #describe}, empty where it answers 404. */
  public static Optional<WorkflowRun> find(
      WorkflowClient client, String workflowId, Kind kind, Tenant tenant) {
    return find(client, workflowId)
        .filter(
            run ->
                run.type().equals(kind.workflowType())
                    && tenant.owns(
                        run.searchAttribute(EngramSearchAttributes.COLLECTION).orElse(null)));
  }

  /** The 404 of an unknown workflow id, as {@link #describe} answers it. */
  public static ApiProblem notFound(Kind kind, String workflowId) {
    return notFound(kind, workflowId, null);
  }

  /** As {@link #notFound(Kind, String)}, saying {@code why} when it is not null. */
  public static ApiProblem notFound(Kind kind, String workflowId, String why) {
    // The problem type is a URI path segment: "collection deletion" is type
    // collection-deletion-not-found.
    return Problems.notFound(
        kind.name().replace(' ', '-'),
        "no " + kind.name() + " workflow '" + workflowId + "'" + (why == null ? "" : ": " + why));
  }

  /** The latest run of {@code workflowId}, or empty when there is none. */
  public static Optional<WorkflowRun> find(WorkflowClient client, String workflowId) {
    WorkflowStub stub = client.newUntypedWorkflowStub(workflowId);
    try {
      return Optional.of(new WorkflowRun(stub, stub.describe()));
    } catch (WorkflowNotFoundException e) {
      return Optional.empty();
    } catch (WorkflowServiceException | StatusRuntimeException e) {
      // The client wraps the service's errors (WorkflowServiceException) around a gRPC status.
      Status status = Status.fromThrowable(e);
      // An id Temporal refuses to look up (INVALID_ARGUMENT: too long, say) names no workflow.
      if (status.getCode() == Status.Code.NOT_FOUND
          || status.getCode() == Status.Code.INVALID_ARGUMENT) {
        return Optional.empty();
      }
      throw Problems.unavailable(
          "cannot reach Temporal ("
              + status.getCode()
              + (status.getDescription() == null ? "" : ": " + status.getDescription())
              + "); retry shortly");
    }
  }

  /**
   * Whether {@code failure} says Temporal could not be reached (down, restarting, or no answer
   * within the call's deadline), a passing condition rather than a fault of the caller or the API.
   */
  public static boolean unreachable(Throwable failure) {
    // gRPC's own reading of a failure's cause chain; UNKNOWN when no status is in it.
    Status.Code code = Status.fromThrowable(failure).getCode();
    return code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED;
  }

  /** The workflow type, e.g. {@code IngestionWorkflow}. */
  public String type() {
    return description.getWorkflowType();
  }

  public String runId() {
    return description.getExecution().getRunId();
  }

  /** The run's value of a search attribute, e.g. a retraining's reason; empty when it has none. */
  public <T> Optional<T> searchAttribute(SearchAttributeKey<T> key) {
    return Optional.ofNullable(description.getTypedSearchAttributes().get(key));
  }

  /** When the run started, by the Temporal server's clock. */
  public Instant startedAt() {
    return description.getStartTime();
  }

  /** The run's memo value under {@code key}, if it was started with one. */
  public Optional<String> memo(String key) {
    return Optional.ofNullable(description.getMemo(key, String.class, String.class));
  }

  public WorkflowExecutionStatus status() {
    return description.getStatus();
  }

  /** The status as the API reports it: {@code RUNNING}, {@code COMPLETED}, {@code FAILED}, … */
  public String statusName() {
    return status().name().replace(STATUS_PREFIX, "");
  }

  public boolean running() {
    return status() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
  }

  /**
   * The answer to the workflow's {@code progress} query, or {@code withoutWorker} when no worker
   * answers it: queries need a worker, and without one a run is accepted but has not started.
   */
  public <T> T progress(Class<T> type, T withoutWorker) {
    if (description.getHistoryLength() <= EVENTS_BEFORE_A_WORKER) {
      // No worker has finished a workflow task of the run yet: a query would wait for one until
      // it timed out, about a minute, where the caller wants to hear that the run waits.
      return withoutWorker;
    }
    try {
      return stub.query("progress", type);
    } catch (WorkflowException | StatusRuntimeException e) {
      return withoutWorker;
    }
  }

  /** The result of a completed run. */
  public <T> T result(Class<T> type) {
    return stub.getResult(type);
  }

  /** How a failed run failed, as Temporal reports it; empty for a run that did not fail. */
  public Optional<WorkflowFailedException> failure() {
    if (status() != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED) {
      return Optional.empty();
    }
    try {
      stub.getResult(Object.class);
      return Optional.empty();
    } catch (WorkflowFailedException e) {
      return Optional.of(e);
    }
  }

  /**
   * Why an ended run did not complete: for a failed run the message of its innermost application
   * failure (what the workflow, or an activity under it, threw), for a cancelled, terminated or
   * timed-out one the status it ended with; empty for a run that completed or still runs.
   */
  public Optional<String> failureReason() {
    if (running() || status() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED) {
      return Optional.empty();
    }
    return Optional.of(
        failure()
            .map(WorkflowRun::innermostMessage)
            .orElse("the workflow ended with status " + statusName()));
  }

  /** The message of the innermost application failure under {@code e}, else {@code e}'s own. */
  private static String innermostMessage(Throwable e) {
    String message = e.getMessage();
    for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
      if (t instanceof ApplicationFailure af) {
        message = af.getOriginalMessage();
      }
    }
    return message;
  }
}
