package io.engram.api.temporal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.engram.api.problems.ApiProblem;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowServiceException;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@Timeout(60)
class WorkflowRunTest {

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow =
      TestWorkflowExtension.newBuilder()
          .setWorkflowTypes(EchoWorkflowImpl.class, SilentWorkflowImpl.class)
          .build();

  @Test
  void an_unknown_workflow_is_a_404_of_the_callers_kind(WorkflowClient client) {
    assertThat(WorkflowRun.find(client, "nope")).isEmpty();
    assertThatThrownBy(() -> WorkflowRun.describe(client, "nope", "ingestion"))
        .isInstanceOfSatisfying(
            ApiProblem.class,
            p -> {
              assertThat(p.problem().status()).isEqualTo(404);
              assertThat(p.problem().type()).endsWith("/ingestion-not-found");
              assertThat(p.problem().detail()).isEqualTo("no ingestion workflow 'nope'");
            });
  }

  @Test
  void reads_a_completed_run(WorkflowClient client, Worker worker) {
    EchoWorkflow workflow = newWorkflow(client, worker);
    WorkflowExecution execution = WorkflowClient.start(workflow::echo, "hello");
    WorkflowStub.fromTyped(workflow).getResult(String.class);

    WorkflowRun run = WorkflowRun.describe(client, execution.getWorkflowId(), "echo");

    assertThat(run.type()).isEqualTo("EchoWorkflow");
    assertThat(run.runId()).isEqualTo(execution.getRunId());
    assertThat(run.status()).isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED);
    assertThat(run.statusName()).isEqualTo("COMPLETED");
    assertThat(run.running()).isFalse();
    assertThat(run.result(String.class)).isEqualTo("hello");
    assertThat(run.failure()).isEmpty();
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
                WorkflowRun.describe(client, execution.getWorkflowId(), "echo")
                    .progress(String.class, "no worker"),
            "waiting"::equals);
    WorkflowRun run = WorkflowRun.describe(client, execution.getWorkflowId(), "echo");

    assertThat(run.running()).isTrue();
    assertThat(run.statusName()).isEqualTo("RUNNING");
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
                .build());
    WorkflowExecution execution = WorkflowClient.start(workflow::waitForever);

    WorkflowRun run = WorkflowRun.describe(client, execution.getWorkflowId(), "silent");

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
                .build());
    WorkflowExecution execution = WorkflowClient.start(workflow::echo, "wait");

    WorkflowRun run = WorkflowRun.describe(client, execution.getWorkflowId(), "echo");

    assertThat(run.running()).isTrue();
    assertThat(run.progress(String.class, "waiting-for-worker")).isEqualTo("waiting-for-worker");
  }

  @Test
  void a_failed_run_says_how_it_failed(WorkflowClient client, Worker worker) {
    EchoWorkflow workflow = newWorkflow(client, worker);
    WorkflowExecution execution = WorkflowClient.start(workflow::echo, "fail");

    assertThatThrownBy(() -> WorkflowStub.fromTyped(workflow).getResult(String.class))
        .isInstanceOf(WorkflowFailedException.class);

    WorkflowRun run = WorkflowRun.describe(client, execution.getWorkflowId(), "echo");

    assertThat(run.statusName()).isEqualTo("FAILED");
    assertThat(run.failure())
        .get()
        .extracting(WorkflowFailedException::getCause)
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            failure -> assertThat(failure.getOriginalMessage()).isEqualTo("asked to fail"));
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

  private static EchoWorkflow newWorkflow(WorkflowClient client, Worker worker) {
    return client.newWorkflowStub(
        EchoWorkflow.class,
        WorkflowOptions.newBuilder()
            .setTaskQueue(worker.getTaskQueue())
            .setWorkflowId("echo-" + UUID.randomUUID())
            .build());
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
