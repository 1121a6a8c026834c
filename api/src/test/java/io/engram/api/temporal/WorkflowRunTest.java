package io.engram.api.temporal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.engram.api.problems.ApiProblem;
import io.engram.core.tenant.Tenant;
import io.engram.workflows.common.EngramSearchAttributes;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowServiceException;
import io.temporal.client.WorkflowStub;
import io.temporal.common.SearchAttributes;
import io.temporal.failure.ApplicationFailure;
import io.temporal.serviceclient.RpcRetryOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@Timeout(60)
class WorkflowRunTest {

  @RegisterExtension static final TestWorkflowExtension testWorkflow = extension();

  private static final WorkflowRun.Kind ECHO = new WorkflowRun.Kind("echo", "EchoWorkflow");
  private static final WorkflowRun.Kind SILENT = new WorkflowRun.Kind("silent", "SilentWorkflow");
  private static final WorkflowRun.Kind INGESTION =
      new WorkflowRun.Kind("ingestion", "IngestionWorkflow");

  /** The test workflows, with the search attributes a run's tenant is read from. */
  private static TestWorkflowExtension extension() {
    TestWorkflowExtension.Builder builder =
        TestWorkflowExtension.newBuilder()
            .setWorkflowTypes(EchoWorkflowImpl.class, SilentWorkflowImpl.class);
    for (Map.Entry<String, IndexedValueType> a : EngramSearchAttributes.ALL.entrySet()) {
      builder.registerSearchAttribute(a.getKey(), a.getValue());
    }
    return builder.build();
  }

  @Test
  void an_unknown_workflow_is_a_404_of_the_callers_kind(WorkflowClient client) {
    assertThat(WorkflowRun.find(client, "nope")).isEmpty();
    assertThatThrownBy(() -> WorkflowRun.describe(client, "nope", INGESTION, Tenant.DEFAULT))
        .isInstanceOfSatisfying(
            ApiProblem.class,
            p -> {
              assertThat(p.problem().status()).isEqualTo(404);
              assertThat(p.problem().type()).endsWith("/ingestion-not-found");
              assertThat(p.problem().detail()).isEqualTo("no ingestion workflow 'nope'");
            });
  }

  @Test
  void another_tenants_run_and_a_run_of_no_collection_are_the_404_of_an_unknown_id(
      WorkflowClient client, Worker worker) {
    EchoWorkflow acme = newWorkflow(client, worker, "acme~notes");
    WorkflowExecution acmeRun = WorkflowClient.start(acme::echo, "hello");
    WorkflowStub.fromTyped(acme).getResult(String.class);
    EchoWorkflow none = newWorkflow(client, worker, null);
    WorkflowExecution noneRun = WorkflowClient.start(none::echo, "hello");
    WorkflowStub.fromTyped(none).getResult(String.class);

    assertThat(WorkflowRun.describe(client, acmeRun.getWorkflowId(), ECHO, new Tenant("acme")))
        .extracting(WorkflowRun::runId)
        .isEqualTo(acmeRun.getRunId());
    for (Tenant other : List.of(Tenant.DEFAULT, new Tenant("acme2"))) {
      assertThatThrownBy(() -> WorkflowRun.describe(client, acmeRun.getWorkflowId(), ECHO, other))
          .isInstanceOfSatisfying(
              ApiProblem.class,
              p -> {
                assertThat(p.problem().status()).isEqualTo(404);
                assertThat(p.problem().detail())
                    .isEqualTo("no echo workflow '" + acmeRun.getWorkflowId() + "'");
              });
    }
    assertThatThrownBy(
            () -> WorkflowRun.describe(client, noneRun.getWorkflowId(), ECHO, Tenant.DEFAULT))
        .isInstanceOfSatisfying(
            ApiProblem.class, p -> assertThat(p.problem().status()).isEqualTo(404));
  }

  @Test
  void reads_a_completed_run(WorkflowClient client, Worker worker) {
    EchoWorkflow workflow = newWorkflow(client, worker);
    WorkflowExecution execution = WorkflowClient.start(workflow::echo, "hello");
    WorkflowStub.fromTyped(workflow).getResult(String.class);

    WorkflowRun run = WorkflowRun.describe(client, execution.getWorkflowId(), ECHO, Tenant.DEFAULT);

    assertThat(run.type()).isEqualTo("EchoWorkflow");
    assertThat(run.runId()).isEqualTo(execution.getRunId());
    assertThat(run.status()).isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED);
    assertThat(run.statusName()).isEqualTo("COMPLETED");
    assertThat(run.running()).isFalse();
    assertThat(run.result(String.class)).isEqualTo("hello");
    assertThat(run.failure()).isEmpty();
    assertThat(run.failureReason()).isEmpty();
  }

  @Test
  void reads_a_running_run_and_its_progress(WorkflowClient client, Worker worker) {
    EchoWorkflow workflow = newWorkflow(client, worker);
    WorkflowExecution execution = WorkflowClient.start(workflow::echo, "wait");

    // Until the worker has run the first workflow task, the run reports the fallback; then the
    // workflow's own answer.
    await()
        .until(
            () ->
                WorkflowRun.describe(client, execution.getWorkflowId(), ECHO, Tenant.DEFAULT)
                    .progress(String.class, "no worker"),
            "waiting"::equals);
    WorkflowRun run = WorkflowRun.describe(client, execution.getWorkflowId(), ECHO, Tenant.DEFAULT);

    assertThat(run.running()).isTrue();
    assertThat(run.statusName()).isEqualTo("RUNNING");
    assertThat(run.failureReason()).isEmpty();
  }

  @Test
  void a_run_that_cannot_answer_reports_the_fallback_progress(
      WorkflowClient client, Worker worker) {
    SilentWorkflow workflow =
        client.newWorkflowStub(
            SilentWorkflow.class,
            WorkflowOptions.newBuilder()
                .setTaskQueue(worker.getTaskQueue())
                .setWorkflowId("silent-" + UUID.randomUUID())
                .setTypedSearchAttributes(
                    SearchAttributes.newBuilder()
                        .set(EngramSearchAttributes.COLLECTION, "notes")
                        .build())
                .build());
    WorkflowExecution execution = WorkflowClient.start(workflow::waitForever);

    WorkflowRun run =
        WorkflowRun.describe(client, execution.getWorkflowId(), SILENT, Tenant.DEFAULT);

    assertThat(run.progress(String.class, "no answer")).isEqualTo("no answer");
  }

  @Test
  void a_run_no_worker_has_taken_reports_the_fallback_progress_without_asking(
      WorkflowClient client) {
    EchoWorkflow workflow =
        client.newWorkflowStub(
            EchoWorkflow.class,
            WorkflowOptions.newBuilder()
                .setTaskQueue("nobody-polls-" + UUID.randomUUID())
                .setWorkflowId("echo-" + UUID.randomUUID())
                .setTypedSearchAttributes(
                    SearchAttributes.newBuilder()
                        .set(EngramSearchAttributes.COLLECTION, "notes")
                        .build())
                .build());
    WorkflowExecution execution = WorkflowClient.start(workflow::echo, "wait");

    WorkflowRun run = WorkflowRun.describe(client, execution.getWorkflowId(), ECHO, Tenant.DEFAULT);

    assertThat(run.running()).isTrue();
    assertThat(run.progress(String.class, "waiting-for-worker")).isEqualTo("waiting-for-worker");
  }

  @Test
  void a_failed_run_says_how_it_failed(WorkflowClient client, Worker worker) {
    EchoWorkflow workflow = newWorkflow(client, worker);
    WorkflowExecution execution = WorkflowClient.start(workflow::echo, "fail");

    assertThatThrownBy(() -> WorkflowStub.fromTyped(workflow).getResult(String.class))
        .isInstanceOf(WorkflowFailedException.class);

    WorkflowRun run = WorkflowRun.describe(client, execution.getWorkflowId(), ECHO, Tenant.DEFAULT);

    assertThat(run.statusName()).isEqualTo("FAILED");
    assertThat(run.failure())
        .get()
        .extracting(WorkflowFailedException::getCause)
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            failure -> assertThat(failure.getOriginalMessage()).isEqualTo("asked to fail"));
    assertThat(run.failureReason()).contains("asked to fail");
  }

  @Test
  void a_start_temporal_refuses_is_a_503() {
    assertThatThrownBy(
            () ->
                WorkflowRun.start(
                    "the echo workflow",
                    () -> {
                      throw new WorkflowServiceException(
                          WorkflowExecution.newBuilder().setWorkflowId("w").build(),
                          "EchoWorkflow",
                          new IllegalStateException("down"));
                    }))
        .isInstanceOfSatisfying(
            ApiProblem.class,
            p -> {
              assertThat(p.problem().status()).isEqualTo(503);
              assertThat(p.problem().detail())
                  .startsWith("cannot start the echo workflow (is Temporal up?): ");
            });
  }

  @Test
  void a_run_of_another_workflow_type_is_the_404_of_an_unknown_id(
      WorkflowClient client, Worker worker) {
    EchoWorkflow echo = newWorkflow(client, worker);
    WorkflowExecution execution = WorkflowClient.start(echo::echo, "hello");
    WorkflowStub.fromTyped(echo).getResult(String.class);

    assertThatThrownBy(
            () ->
                WorkflowRun.describe(client, execution.getWorkflowId(), INGESTION, Tenant.DEFAULT))
        .isInstanceOfSatisfying(
            ApiProblem.class,
            p -> {
              assertThat(p.problem().status()).isEqualTo(404);
              assertThat(p.problem().detail())
                  .isEqualTo("no ingestion workflow '" + execution.getWorkflowId() + "'");
            });
  }

  @Test
  void a_temporal_that_cannot_be_reached_is_a_503_when_a_run_is_read() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    WorkflowServiceStubs unreachable =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder()
                .setTarget("127.0.0.1:" + closedPort)
                .setRpcTimeout(Duration.ofMillis(500))
                .setSystemInfoTimeout(Duration.ofMillis(500))
                .setRpcRetryOptions(
                    RpcRetryOptions.newBuilder()
                        .setExpiration(Duration.ofMillis(500))
                        .setInitialInterval(Duration.ofMillis(50))
                        .validateBuildWithDefaults())
                .build());
    try {
      WorkflowClient client = WorkflowClient.newInstance(unreachable);
      assertThatThrownBy(() -> WorkflowRun.find(client, "ingest-notes"))
          .isInstanceOfSatisfying(
              ApiProblem.class,
              p -> {
                assertThat(p.problem().status()).isEqualTo(503);
                assertThat(p.problem().detail()).startsWith("cannot reach Temporal (");
              });
      // What the API's last-resort handler answers for a signal or query that met the same fate.
      Throwable signalled =
          catchThrowable(() -> client.newUntypedWorkflowStub("rollout-1").signal("abort"));
      assertThat(WorkflowRun.unreachable(signalled)).isTrue();
      assertThat(WorkflowRun.unreachable(new IllegalStateException("a bug"))).isFalse();
    } finally {
      unreachable.shutdownNow();
    }
  }

  private static EchoWorkflow newWorkflow(WorkflowClient client, Worker worker) {
    return newWorkflow(client, worker, "notes");
  }

  /** An echo run of collection {@code collection} (its key), or of none when it is null. */
  private static EchoWorkflow newWorkflow(WorkflowClient client, Worker worker, String collection) {
    WorkflowOptions.Builder options =
        WorkflowOptions.newBuilder()
            .setTaskQueue(worker.getTaskQueue())
            .setWorkflowId("echo-" + UUID.randomUUID());
    if (collection != null) {
      options.setTypedSearchAttributes(
          SearchAttributes.newBuilder().set(EngramSearchAttributes.COLLECTION, collection).build());
    }
    return client.newWorkflowStub(EchoWorkflow.class, options.build());
  }

  @WorkflowInterface
  public interface EchoWorkflow {
    /** Returns {@code text}; {@code wait} waits forever, {@code fail} fails the run. */
    @WorkflowMethod
    String echo(String text);

    @QueryMethod
    String progress();
  }

  public static class EchoWorkflowImpl implements EchoWorkflow {
    private String text = "";

    @Override
    public String echo(String text) {
      this.text = text;
      if (text.equals("fail")) {
        throw ApplicationFailure.newNonRetryableFailure("asked to fail", "Asked");
      }
      if (text.equals("wait")) {
        this.text = "waiting";
        Workflow.await(() -> false);
      }
      return text;
    }

    @Override
    public String progress() {
      return text;
    }
  }

  /** A workflow without a progress query. */
  @WorkflowInterface
  public interface SilentWorkflow {
    @WorkflowMethod
    void waitForever();
  }

  public static class SilentWorkflowImpl implements SilentWorkflow {
    @Override
    public void waitForever() {
      Workflow.await(() -> false);
    }
  }
}
