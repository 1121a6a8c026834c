package io.engram.workflows.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.verifyNoMoreInteractions;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import io.engram.workflows.common.BatchGate;
import io.engram.workflows.common.FailureTypes;
import io.engram.workflows.common.TaskQueues;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mockito.InOrder;
import org.mockito.invocation.InvocationOnMock;

@Timeout(60)
class EvaluationWorkflowTest {

  /** Time skipping stays on, as in IngestionWorkflowTest: retry backoffs are skipped. */
  @RegisterExtension
  static final TestWorkflowExtension testWorkflow =
      TestWorkflowExtension.newBuilder()
          .setWorkflowTypes(EvaluationWorkflowImpl.class)
          .setDoNotStart(true)
          .build();

  static final EvaluationRequest REQUEST =
      new EvaluationRequest(
          "scifact",
          "train",
          "held-out",
          "scifact",
          null,
          "a".repeat(64),
          "b".repeat(64),
          null,
          null,
          null);

  private static final long RUN = 42;
  private static final String VERSION = "bge-small-en-v1.5-q-c1024-o200";
  private static final String ANSWER_MODEL = "openai:gemma-3-270m";

  @Test
  void evaluates_all_queries_in_batches_then_summarizes(
      TestWorkflowEnvironment testEnv, Worker worker, WorkflowClient client) {
    AnswerEvaluationActivities llm = mockAnswerActivities();
    testEnv.newWorker(TaskQueues.LLM).registerActivitiesImplementations(llm);
    EvaluationActivities activities = mockActivities();
    when(activities.prepare(any())).thenReturn(new EvaluationPlan(RUN, VERSION, 120));
    when(activities.evaluateBatch(anyLong(), anyInt(), anyInt()))
        .thenAnswer(EvaluationWorkflowTest::halfFound);
    EvaluationSummary summary = summary(120, 0.5);
    when(activities.complete(RUN)).thenReturn(summary);
    worker.registerActivitiesImplementations(activities);
    testEnv.start();

    EvaluationWorkflow workflow = newWorkflow(client, worker);
    EvaluationSummary result = workflow.evaluate(REQUEST);

    verify(activities).prepare(REQUEST);
    verify(activities).evaluateBatch(RUN, 0, 50);
    verify(activities).evaluateBatch(RUN, 50, 100);
    verify(activities).evaluateBatch(RUN, 100, 120);
    verify(activities).complete(RUN);
    verifyNoMoreInteractions(activities);
    // Without answers asked for, nothing runs on the llm queue.
    verifyNoInteractions(llm);
    assertThat(result).isEqualTo(summary);

    // A closed run still answers its query, from the replayed state.
    EvaluationProgress progress = workflow.progress();
    assertThat(progress.phase()).isEqualTo("done");
    assertThat(progress.total()).isEqualTo(120);
    assertThat(progress.done()).isEqualTo(120);
    assertThat(progress.ndcgAt10()).isCloseTo(0.5, within(1e-12));
    assertThat(progress.recallAt100()).isCloseTo(1.0, within(1e-12));
    assertThat(progress.modelVersion()).isEqualTo(summary.modelVersion());
    assertThat(progress.result()).isEqualTo(summary);
  }

  @Test
  void never_runs_more_than_two_batches_at_once(
      TestWorkflowEnvironment testEnv, Worker worker, WorkflowClient client) {
    ConcurrencyTrackingActivities activities =
        new ConcurrencyTrackingActivities(500, BatchGate.closed());
    worker.registerActivitiesImplementations(activities);
    testEnv.start();

    EvaluationWorkflow workflow = newWorkflow(client, worker);
    WorkflowClient.start(workflow::evaluate, REQUEST);
    activities.gate.releaseOneByOne(10, EvaluationWorkflowImpl.MAX_PARALLEL_BATCHES);
    EvaluationSummary result = WorkflowStub.fromTyped(workflow).getResult(EvaluationSummary.class);

    assertThat(activities.calls.get()).isEqualTo(10);
    assertThat(activities.gate.maxInFlight())
        .isEqualTo(EvaluationWorkflowImpl.MAX_PARALLEL_BATCHES);
    assertThat(result.queries()).isEqualTo(500);
  }

  @Test
  void progress_query_reports_the_running_run(
      TestWorkflowEnvironment testEnv, Worker worker, WorkflowClient client)
      throws InterruptedException {
    BlockingActivities activities = new BlockingActivities(75);
    worker.registerActivitiesImplementations(activities);
    testEnv.start();

    EvaluationWorkflow workflow = newWorkflow(client, worker);
    try {
      WorkflowClient.start(workflow::evaluate, REQUEST);
      // The first batch (0..50) has finished; the second is held.
      assertThat(activities.secondStarted.await(30, TimeUnit.SECONDS)).isTrue();
      EvaluationProgress running = awaitDone(workflow, 50);
      assertThat(running.phase()).isEqualTo("evaluating");
      assertThat(running.evalRunId()).isEqualTo(RUN);
      assertThat(running.modelVersion()).isEqualTo(VERSION);
      assertThat(running.total()).isEqualTo(75);
      assertThat(running.ndcgAt10()).isCloseTo(1.0, within(1e-12));
      assertThat(running.result()).isNull();
    } finally {
      activities.release.countDown();
    }

    EvaluationSummary result = WorkflowStub.fromTyped(workflow).getResult(EvaluationSummary.class);
    assertThat(result.queries()).isEqualTo(75);
    assertThat(workflow.progress().phase()).isEqualTo("done");
  }

  @Test
  void unknown_model_version_fails_at_once_without_registering_anything(
      TestWorkflowEnvironment testEnv, Worker worker, WorkflowClient client) {
    EvaluationActivities activities = mockActivities();
    when(activities.prepare(any()))
        .thenThrow(
            ApplicationFailure.newNonRetryableFailure(
                "no model version (index version) named 'nope'",
                FailureTypes.UNKNOWN_MODEL_VERSION));
    worker.registerActivitiesImplementations(activities);
    testEnv.start();

    EvaluationWorkflow workflow = newWorkflow(client, worker);
    WorkflowFailedException failure =
        assertThrows(WorkflowFailedException.class, () -> workflow.evaluate(REQUEST));

    ApplicationFailure cause = findApplicationFailure(failure);
    assertThat(cause.getType()).isEqualTo(FailureTypes.UNKNOWN_MODEL_VERSION);
    assertThat(cause.getOriginalMessage()).contains("'nope'");
    verify(activities, times(1)).prepare(any());
    verify(activities, never()).evaluateBatch(anyLong(), anyInt(), anyInt());
    verify(activities, never()).markEnded(anyLong(), anyBoolean(), anyString());
    assertThat(workflow.progress().phase()).isEqualTo("failed");
  }

  @Test
  void malformed_qrels_and_unknown_collections_are_not_retried_either(
      TestWorkflowEnvironment testEnv, Worker worker, WorkflowClient client) {
    EvaluationActivities activities = mockActivities();
    when(activities.prepare(any()))
        .thenThrow(
            ApplicationFailure.newNonRetryableFailure(
                "qrels line 3: score 'x' is not an integer", FailureTypes.INVALID_DATASET))
        .thenThrow(
            ApplicationFailure.newNonRetryableFailure(
                "no collection 'scifact'", FailureTypes.UNKNOWN_COLLECTION));
    worker.registerActivitiesImplementations(activities);
    testEnv.start();

    ApplicationFailure first =
        findApplicationFailure(
            assertThrows(
                WorkflowFailedException.class,
                () -> newWorkflow(client, worker).evaluate(REQUEST)));
    ApplicationFailure second =
        findApplicationFailure(
            assertThrows(
                WorkflowFailedException.class,
                () -> newWorkflow(client, worker).evaluate(REQUEST)));

    assertThat(first.getType()).isEqualTo(FailureTypes.INVALID_DATASET);
    assertThat(second.getType()).isEqualTo(FailureTypes.UNKNOWN_COLLECTION);
    verify(activities, times(2)).prepare(any());
  }

  @Test
  void a_transient_batch_failure_is_retried(
      TestWorkflowEnvironment testEnv, Worker worker, WorkflowClient client) {
    EvaluationActivities activities = mockActivities();
    when(activities.prepare(any())).thenReturn(new EvaluationPlan(RUN, VERSION, 80));
    when(activities.evaluateBatch(anyLong(), anyInt(), anyInt()))
        .thenAnswer(EvaluationWorkflowTest::halfFound);
    when(activities.evaluateBatch(RUN, 50, 80))
        .thenThrow(new RuntimeException("connection reset by database"))
        .thenAnswer(EvaluationWorkflowTest::halfFound);
    when(activities.complete(RUN)).thenReturn(summary(80, 0.5));
    worker.registerActivitiesImplementations(activities);
    testEnv.start();

    EvaluationWorkflow workflow = newWorkflow(client, worker);
    workflow.evaluate(REQUEST);

    verify(activities, times(2)).evaluateBatch(RUN, 50, 80);
    assertThat(workflow.progress().done()).isEqualTo(80);
  }

  @Test
  void a_batch_that_fails_for_good_marks_the_run_failed_with_the_reason(
      TestWorkflowEnvironment testEnv, Worker worker, WorkflowClient client) {
    EvaluationActivities activities = mockActivities();
    when(activities.prepare(any())).thenReturn(new EvaluationPlan(RUN, VERSION, 80));
    when(activities.evaluateBatch(anyLong(), anyInt(), anyInt()))
        .thenAnswer(EvaluationWorkflowTest::halfFound);
    when(activities.evaluateBatch(RUN, 50, 80))
        .thenThrow(ApplicationFailure.newNonRetryableFailure("index version dropped", "Permanent"));
    worker.registerActivitiesImplementations(activities);
    testEnv.start();

    EvaluationWorkflow workflow = newWorkflow(client, worker);
    assertThrows(WorkflowFailedException.class, () -> workflow.evaluate(REQUEST));

    verify(activities).markEnded(RUN, false, "index version dropped");
    verify(activities, never()).complete(anyLong());
    assertThat(workflow.progress().phase()).isEqualTo("failed");
  }

  @Test
  void a_cancelled_run_is_marked_cancelled(
      TestWorkflowEnvironment testEnv, Worker worker, WorkflowClient client)
      throws InterruptedException {
    BlockingActivities activities = new BlockingActivities(75);
    worker.registerActivitiesImplementations(activities);
    testEnv.start();

    EvaluationWorkflow workflow = newWorkflow(client, worker);
    try {
      WorkflowClient.start(workflow::evaluate, REQUEST);
      assertThat(activities.secondStarted.await(30, TimeUnit.SECONDS)).isTrue();
      // Cancel once the workflow has taken the first batch's result, so only the blocked batch is
      // in flight: a cancel that races the first batch's completion makes the test server reject
      // the workflow task (ACTIVITY_UNKNOWN) and the run waits out a task timeout.
      awaitDone(workflow, EvaluationWorkflowImpl.BATCH_SIZE);
      WorkflowStub.fromTyped(workflow).cancel();
      // The run is marked while the cancelled batch is still blocked: marking does not wait for
      // the batch. Waiting for the result only after that keeps the test independent of how the
      // time-skipping server schedules the blocked activity.
      assertThat(activities.ended.await(30, TimeUnit.SECONDS)).isTrue();
      assertThat(activities.endedCancelled).isTrue();
    } finally {
      activities.release.countDown();
    }
    assertThrows(
        WorkflowFailedException.class,
        () -> WorkflowStub.fromTyped(workflow).getResult(EvaluationSummary.class));
  }

  @Test
  void answers_are_generated_on_the_llm_queue_after_retrieval_in_small_batches(
      TestWorkflowEnvironment testEnv, Worker worker, WorkflowClient client) {
    AnswerEvaluationActivities llm = mockAnswerActivities();
    when(llm.answerModel()).thenReturn(ANSWER_MODEL);
    when(llm.sampleAnswers(RUN, 12)).thenReturn(12);
    when(llm.answerBatch(anyLong(), anyInt(), anyInt()))
        .thenAnswer(
            i -> {
              int n = i.<Integer>getArgument(2) - i.<Integer>getArgument(1);
              return new AnswerScores(n, Math.min(n, 4));
            });
    testEnv.newWorker(TaskQueues.LLM).registerActivitiesImplementations(llm);
    EvaluationActivities activities = mockActivities();
    when(activities.prepare(any())).thenReturn(new EvaluationPlan(RUN, VERSION, 80));
    when(activities.evaluateBatch(anyLong(), anyInt(), anyInt()))
        .thenAnswer(EvaluationWorkflowTest::halfFound);
    EvaluationSummary summary = withAnswers(summary(80, 0.5));
    when(activities.complete(RUN)).thenReturn(summary);
    worker.registerActivitiesImplementations(activities);
    testEnv.start();

    EvaluationWorkflow workflow = newWorkflow(client, worker);
    EvaluationSummary result = workflow.evaluate(withAnswers(12));

    InOrder order = inOrder(llm, activities);
    // The LLM is asked for first, so a worker without one fails the run before it starts.
    order.verify(llm).answerModel();
    order.verify(activities).prepare(withAnswers(12));
    order.verify(activities, times(2)).evaluateBatch(eq(RUN), anyInt(), anyInt());
    order.verify(llm).sampleAnswers(RUN, 12);
    order.verify(llm).answerBatch(RUN, 0, 5);
    order.verify(llm).answerBatch(RUN, 5, 10);
    order.verify(llm).answerBatch(RUN, 10, 12);
    order.verify(activities).complete(RUN);
    verifyNoMoreInteractions(llm);
    assertThat(result).isEqualTo(summary);

    EvaluationProgress progress = workflow.progress();
    assertThat(progress.phase()).isEqualTo("done");
    assertThat(progress.answerModel()).isEqualTo(ANSWER_MODEL);
    assertThat(progress.answersTotal()).isEqualTo(12);
    assertThat(progress.answersDone()).isEqualTo(12);
    // Batches of 5, 5 and 2 queries, at most 4 generated answers each: 1 + 1 + 0 fell back.
    assertThat(progress.answersFallback()).isEqualTo(2);
  }

  @Test
  void without_an_llm_in_the_worker_a_run_with_answers_fails_at_once_and_registers_nothing(
      TestWorkflowEnvironment testEnv, Worker worker, WorkflowClient client) {
    AnswerEvaluationActivities llm = mockAnswerActivities();
    when(llm.answerModel())
        .thenThrow(
            ApplicationFailure.newNonRetryableFailure(
                "the worker has no LLM for answers; set ENGRAM_LLM_PROVIDER",
                FailureTypes.LLM_NOT_CONFIGURED));
    testEnv.newWorker(TaskQueues.LLM).registerActivitiesImplementations(llm);
    EvaluationActivities activities = mockActivities();
    worker.registerActivitiesImplementations(activities);
    testEnv.start();

    EvaluationWorkflow workflow = newWorkflow(client, worker);
    WorkflowFailedException failure =
        assertThrows(WorkflowFailedException.class, () -> workflow.evaluate(withAnswers(3)));

    ApplicationFailure cause = findApplicationFailure(failure);
    assertThat(cause.getType()).isEqualTo(FailureTypes.LLM_NOT_CONFIGURED);
    assertThat(cause.getOriginalMessage()).contains("no LLM");
    verify(llm, times(1)).answerModel();
    verifyNoInteractions(activities);
    assertThat(workflow.progress().phase()).isEqualTo("failed");
  }

  @Test
  void progress_reports_the_answering_phase(
      TestWorkflowEnvironment testEnv, Worker worker, WorkflowClient client)
      throws InterruptedException {
    CountDownLatch secondBatch = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AnswerEvaluationActivities llm = mockAnswerActivities();
    when(llm.answerModel()).thenReturn(ANSWER_MODEL);
    when(llm.sampleAnswers(RUN, 7)).thenReturn(7);
    when(llm.answerBatch(RUN, 0, 5)).thenReturn(new AnswerScores(5, 3));
    when(llm.answerBatch(RUN, 5, 7))
        .thenAnswer(
            i -> {
              secondBatch.countDown();
              release.await(30, TimeUnit.SECONDS);
              return new AnswerScores(2, 2);
            });
    testEnv.newWorker(TaskQueues.LLM).registerActivitiesImplementations(llm);
    worker.registerActivitiesImplementations(new ConcurrencyTrackingActivities(20));
    testEnv.start();

    EvaluationWorkflow workflow = newWorkflow(client, worker);
    try {
      WorkflowClient.start(workflow::evaluate, withAnswers(7));
      assertThat(secondBatch.await(30, TimeUnit.SECONDS)).isTrue();
      EvaluationProgress running = workflow.progress();
      assertThat(running.phase()).isEqualTo("answering");
      assertThat(running.done()).isEqualTo(20);
      assertThat(running.answersTotal()).isEqualTo(7);
      assertThat(running.answersDone()).isEqualTo(5);
      assertThat(running.answersFallback()).isEqualTo(2);
    } finally {
      release.countDown();
    }
    WorkflowStub.fromTyped(workflow).getResult(EvaluationSummary.class);
    assertThat(workflow.progress().answersDone()).isEqualTo(7);
    assertThat(workflow.progress().answersFallback()).isEqualTo(2);
  }

  @Test
  void an_answer_batch_that_fails_for_good_marks_the_run_failed_with_the_reason(
      TestWorkflowEnvironment testEnv, Worker worker, WorkflowClient client) {
    AnswerEvaluationActivities llm = mockAnswerActivities();
    when(llm.answerModel()).thenReturn(ANSWER_MODEL);
    when(llm.sampleAnswers(RUN, 3)).thenReturn(3);
    when(llm.answerBatch(RUN, 0, 3))
        .thenThrow(ApplicationFailure.newNonRetryableFailure("index version dropped", "Permanent"));
    testEnv.newWorker(TaskQueues.LLM).registerActivitiesImplementations(llm);
    EvaluationActivities activities = mockActivities();
    when(activities.prepare(any())).thenReturn(new EvaluationPlan(RUN, VERSION, 10));
    when(activities.evaluateBatch(anyLong(), anyInt(), anyInt()))
        .thenAnswer(EvaluationWorkflowTest::halfFound);
    worker.registerActivitiesImplementations(activities);
    testEnv.start();

    EvaluationWorkflow workflow = newWorkflow(client, worker);
    assertThrows(WorkflowFailedException.class, () -> workflow.evaluate(withAnswers(3)));

    verify(activities).markEnded(RUN, false, "index version dropped");
    verify(activities, never()).complete(anyLong());
    assertThat(workflow.progress().phase()).isEqualTo("failed");
  }

  @Test
  void workflow_ids_are_readable_and_unique_per_request() {
    UUID nonce = UUID.fromString("0f8e4a52-0000-4000-8000-000000000000");

    assertThat(EvaluationWorkflow.workflowId(REQUEST, nonce))
        .isEqualTo("eval-scifact-train-held-out-0f8e4a52");
    assertThat(EvaluationWorkflow.workflowId(REQUEST, UUID.randomUUID()))
        .isNotEqualTo(EvaluationWorkflow.workflowId(REQUEST, UUID.randomUUID()));
  }

  /** See IngestionWorkflowTest: Temporal reads the activity annotations from the interface. */
  private static EvaluationActivities mockActivities() {
    return mock(EvaluationActivities.class, withSettings().withoutAnnotations());
  }

  private static AnswerEvaluationActivities mockAnswerActivities() {
    return mock(AnswerEvaluationActivities.class, withSettings().withoutAnnotations());
  }

  static EvaluationRequest withAnswers(int answers) {
    return new EvaluationRequest(
        REQUEST.dataset(),
        REQUEST.split(),
        REQUEST.part(),
        REQUEST.collection(),
        REQUEST.modelVersion(),
        REQUEST.queriesBlob(),
        REQUEST.qrelsBlob(),
        REQUEST.limit(),
        answers,
        null);
  }

  static EvaluationSummary withAnswers(EvaluationSummary s) {
    return new EvaluationSummary(
        s.evalRunId(),
        s.dataset(),
        s.split(),
        s.part(),
        s.collection(),
        s.modelVersion(),
        s.queries(),
        s.ndcgAt10(),
        s.mrrAt10(),
        s.recallAt10(),
        s.recallAt100(),
        s.p50Ms(),
        s.p95Ms(),
        new AnswerSummary(ANSWER_MODEL, 12, 10, 2, 0.75, 0.6, 0.5, 4000.0));
  }

  private static EvaluationWorkflow newWorkflow(WorkflowClient client, Worker worker) {
    return client.newWorkflowStub(
        EvaluationWorkflow.class,
        WorkflowOptions.newBuilder()
            .setTaskQueue(worker.getTaskQueue())
            .setWorkflowId(EvaluationWorkflow.workflowId(REQUEST, UUID.randomUUID()))
            .build());
  }

  /** The progress once the workflow has counted {@code done} queries. */
  private static EvaluationProgress awaitDone(EvaluationWorkflow workflow, int done) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(workflow::progress, progress -> progress.done() >= done);
  }

  /** A batch in which every query finds half its relevant documents in the top 10, all by 100. */
  private static BatchScores halfFound(InvocationOnMock invocation) {
    int n = (int) invocation.getArgument(2) - (int) invocation.getArgument(1);
    return new BatchScores(n, 0.5 * n, 0.5 * n, 0.5 * n, n);
  }

  private static BatchScores perfect(int from, int to) {
    int n = to - from;
    return new BatchScores(n, n, n, n, n);
  }

  static EvaluationSummary summary(int queries, double ndcg) {
    return new EvaluationSummary(
        RUN,
        "scifact",
        "train",
        "held-out",
        "scifact",
        VERSION + "+none",
        queries,
        ndcg,
        ndcg,
        ndcg,
        1.0,
        12.5,
        30.0,
        null);
  }

  private static ApplicationFailure findApplicationFailure(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ApplicationFailure application) {
        return application;
      }
    }
    throw new AssertionError("no ApplicationFailure in " + failure);
  }

  /** Passes every batch through a {@link BatchGate}, which counts how many run at once. */
  public static final class ConcurrencyTrackingActivities implements EvaluationActivities {
    final AtomicInteger calls = new AtomicInteger();
    final BatchGate gate;
    private final int queries;

    ConcurrencyTrackingActivities(int queries) {
      this(queries, BatchGate.open());
    }

    ConcurrencyTrackingActivities(int queries, BatchGate gate) {
      this.queries = queries;
      this.gate = gate;
    }

    @Override
    public EvaluationPlan prepare(EvaluationRequest request) {
      return new EvaluationPlan(RUN, VERSION, queries);
    }

    @Override
    public BatchScores evaluateBatch(long evalRunId, int fromSeq, int toSeq) {
      calls.incrementAndGet();
      return gate.pass(() -> perfect(fromSeq, toSeq));
    }

    @Override
    public EvaluationSummary complete(long evalRunId) {
      return summary(queries, 1.0);
    }

    @Override
    public void markEnded(long evalRunId, boolean cancelled, String reason) {}
  }

  /** Finishes the first batch at once and holds the second until released. */
  public static final class BlockingActivities implements EvaluationActivities {
    final CountDownLatch secondStarted = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final CountDownLatch ended = new CountDownLatch(1);
    volatile boolean endedCancelled;
    private final int queries;

    BlockingActivities(int queries) {
      this.queries = queries;
    }

    @Override
    public EvaluationPlan prepare(EvaluationRequest request) {
      return new EvaluationPlan(RUN, VERSION, queries);
    }

    @Override
    public BatchScores evaluateBatch(long evalRunId, int fromSeq, int toSeq) {
      if (fromSeq > 0) {
        secondStarted.countDown();
        try {
          if (!release.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the test never released the batch");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
      return perfect(fromSeq, toSeq);
    }

    @Override
    public EvaluationSummary complete(long evalRunId) {
      return summary(queries, 1.0);
    }

    @Override
    public void markEnded(long evalRunId, boolean cancelled, String reason) {
      endedCancelled = cancelled;
      ended.countDown();
    }
  }
}
