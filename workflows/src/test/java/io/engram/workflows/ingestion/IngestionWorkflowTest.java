package io.engram.workflows.ingestion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoMoreInteractions;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import io.engram.workflows.common.BatchGate;
import io.engram.workflows.common.EngramSearchAttributes;
import io.engram.workflows.common.FailureTypes;
import io.engram.workflows.common.TaskQueues;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mockito.ArgumentCaptor;
import org.mockito.InOrder;
import org.mockito.invocation.InvocationOnMock;

@Timeout(60)
class IngestionWorkflowTest {

  /**
   * Time skipping stays on: the test server holds the clock while an activity is outstanding, so a
   * slow fake never sees its heartbeat timeout fire, while the one-second retry backoff is skipped.
   */
  @RegisterExtension static final TestWorkflowExtension testWorkflow = extension();

  /** Followers are started with the collection's search attribute, so the server must know it. */
  private static TestWorkflowExtension extension() {
    TestWorkflowExtension.Builder builder =
        TestWorkflowExtension.newBuilder()
            .setWorkflowTypes(IngestionWorkflowImpl.class)
            .setDoNotStart(true);
    for (Map.Entry<String, IndexedValueType> a : EngramSearchAttributes.ALL.entrySet()) {
      builder.registerSearchAttribute(a.getKey(), a.getValue());
    }
    return builder.build();
  }

  private static final IngestionRequest REQUEST =
      new IngestionRequest("default", "/srv/docs", "/srv/docs", null, null, null);

  @Test
  void processes_all_pending_items_in_batches_and_sums_the_results(
      TestWorkflowEnvironment testEnv, Worker worker, WorkflowClient client) {
    IngestionActivities activities = mockActivities();
    when(activities.discover(anyString(), any()))
        .thenReturn(new DiscoveryResult(7, 100, 30, 70, 2, List.of("gone.md", "old.md")));
    when(activities.processBatch(anyString(), anyInt(), anyInt()))
        .thenAnswer(IngestionWorkflowTest::allDone);
    ValidationReport validated = new ValidationReport(70, 0, 16, 0, List.of(), List.of());
    when(activities.validate(anyString())).thenReturn(validated);
    worker.registerActivitiesImplementations(activities);
    testEnv.start();

    IngestionWorkflow workflow = newWorkflow(client, worker);
    WorkflowExecution execution = WorkflowClient.start(workflow::ingest, REQUEST);
    IngestionProgress result = WorkflowStub.fromTyped(workflow).getResult(IngestionProgress.class);

    String runId = execution.getRunId();
    verify(activities).discover(runId, REQUEST);
    verify(activities).processBatch(runId, 0, 32);
    verify(activities).processBatch(runId, 32, 64);
    verify(activities).processBatch(runId, 64, 70);
    verify(activities).validate(runId);
    verify(activities).following("default", 7);
    verifyNoMoreInteractions(activities);

    assertThat(result.phase()).isEqualTo("done");
    assertThat(result.total()).isEqualTo(100);
    assertThat(result.skipped()).isEqualTo(30);
    assertThat(result.done()).isEqualTo(70);
    assertThat(result.chunks()).isEqualTo(70 * 3);
    assertThat(result.failed()).isZero();
    assertThat(result.errors()).isEmpty();
    assertThat(result.tombstoned()).isEqualTo(2);
    assertThat(result.tombstonedSample()).containsExactly("gone.md", "old.md");
    assertThat(result.indexVersionId()).isEqualTo(7);
    assertThat(result.validation()).isEqualTo(validated);
  }

  @Test
  void records_the_source_listed_twice_are_failed_with_why(
      TestWorkflowEnvironment testEnv, Worker worker, WorkflowClient client) {
    IngestionActivities activities = mockActivities();
    when(activities.discover(anyString(), any()))
        .thenReturn(
            new DiscoveryResult(
                7, 10, 0, 10, 0, List.of(), 3, List.of("c.jsonl#j1", "c.jsonl#j1", "c.jsonl#j4")));
    when(activities.processBatch(anyString(), anyInt(), anyInt()))
        .thenAnswer(IngestionWorkflowTest::allDone);
    when(activities.validate(anyString()))
        .thenReturn(new ValidationReport(10, 0, 10, 0, List.of(), List.of()));
    worker.registerActivitiesImplementations(activities);
    testEnv.start();

    IngestionWorkflow workflow = newWorkflow(client, worker);
    WorkflowClient.start(workflow::ingest, REQUEST);
    IngestionProgress result = WorkflowStub.fromTyped(workflow).getResult(IngestionProgress.class);

    assertThat(result.total()).isEqualTo(13);
    assertThat(result.done()).isEqualTo(10);
    assertThat(result.failed()).isEqualTo(3);
    assertThat(result.errors())
        .extracting(DocumentError::source)
        .containsExactly("c.jsonl#j1", "c.jsonl#j1", "c.jsonl#j4");
    assertThat(result.errors()).allMatch(e -> e.reason().equals(IngestionWorkflowImpl.DUPLICATE));
  }

  @Test
  void documents_validation_fails_move_from_done_to_failed_before_other_indexes_follow(
      TestWorkflowEnvironment testEnv, Worker worker, WorkflowClient client) throws IOException {
    IngestionActivities activities = mockActivities();
    when(activities.discover(anyString(), any()))
        .thenReturn(new DiscoveryResult(7, 40, 0, 40, 0, List.of()));
    DocumentError corrupt = new DocumentError("docs/3.pdf", "corrupt");
    when(activities.processBatch(anyString(), eq(0), eq(32)))
        .thenReturn(new BatchResult(31, 1, 93, List.of(corrupt)));
    when(activities.processBatch(anyString(), eq(32), eq(40)))
        .thenReturn(new BatchResult(8, 0, 24, List.of()));
    DocumentError lost =
        new DocumentError("docs/7.md", "index version iv1 holds 1 of the 3 chunks");
    String unreachable = "1 of the 16 documents probed were not among the 10 nearest chunks";
    ValidationReport validated =
        new ValidationReport(39, 1, 16, 1, List.of(unreachable), List.of(lost));
    when(activities.validate(anyString())).thenReturn(validated);
    startWorkers(testEnv, worker, activities);

    IngestionWorkflow workflow = newWorkflow(client, worker);
    WorkflowExecution execution = WorkflowClient.start(workflow::ingest, REQUEST);
    IngestionProgress result = WorkflowStub.fromTyped(workflow).getResult(IngestionProgress.class);

    assertThat(result.phase()).isEqualTo("done");
    assertThat(result.done()).isEqualTo(38);
    assertThat(result.failed()).isEqualTo(2);
    assertThat(result.chunks()).isEqualTo(117);
    assertThat(result.errors()).containsExactlyInAnyOrder(corrupt, lost);
    // The reasons are listed once, among the run's errors.
    assertThat(result.validation())
        .isEqualTo(new ValidationReport(39, 1, 16, 1, List.of(unreachable), List.of()));
    // The documents are validated before any other index copies them.
    InOrder order = inOrder(activities);
    order.verify(activities).validate(execution.getRunId());
    order.verify(activities).following("default", 7);
    if (Boolean.getBoolean("engram.recordHistories")) {
      // Replayed by IngestionWorkflowReplayTest: record it again only after a versioned change.
      Files.writeString(
          Path.of("src/test/resources/" + IngestionWorkflowReplayTest.VALIDATED),
          client.fetchHistory(execution.getWorkflowId()).toJson(true) + "\n");
    }
  }

  @Test
  void a_validation_that_cannot_run_fails_no_run(
      TestWorkflowEnvironment testEnv, Worker worker, WorkflowClient client) {
    IngestionActivities activities = storingTen();
    when(activities.validate(anyString()))
        .thenThrow(ApplicationFailure.newNonRetryableFailure("the run is gone", "RunGone"));
    startWorkers(testEnv, worker, activities);

    IngestionProgress result = newWorkflow(client, worker).ingest(REQUEST);

    assertThat(result.phase()).isEqualTo("done");
    assertThat(result.done()).isEqualTo(10);
    assertThat(result.failed()).isZero();
    assertThat(result.validation()).isNull();
    verify(activities).following("default", 7);
  }

  @Test
  void a_run_that_stored_documents_has_each_other_index_the_collection_serves_from_follow(
      TestWorkflowEnvironment testEnv, Worker worker, WorkflowClient client) throws IOException {
    IngestionActivities activities = storingTen();
    IndexParams candidate = new IndexParams("all-minilm-l6-v2-q", 512, 64);
    when(activities.following("default", 7))
        .thenReturn(List.of(new FollowingIndex("follow/index-9", candidate)));
    startWorkers(testEnv, worker, activities);

    IngestionWorkflow workflow = newWorkflow(client, worker);
    WorkflowClient.start(workflow::ingest, REQUEST);
    IngestionProgress result = WorkflowStub.fromTyped(workflow).getResult(IngestionProgress.class);

    assertThat(result.phase()).isEqualTo("done");
    assertThat(result.done()).isEqualTo(10);
    // The child rebuilt the candidate's index (it embeds only what that index lacks).
    IngestionProgress followed =
        client.newUntypedWorkflowStub("follow/index-9").getResult(IngestionProgress.class);
    assertThat(followed.done()).isEqualTo(10);
    ArgumentCaptor<IngestionRequest> asked = ArgumentCaptor.forClass(IngestionRequest.class);
    verify(activities, times(2)).discover(anyString(), asked.capture());
    IngestionRequest rebuild = asked.getAllValues().get(1);
    assertThat(rebuild.rebuilds()).isTrue();
    assertThat(rebuild.collection()).isEqualTo("default");
    assertThat(rebuild.embeddingModel()).isEqualTo("all-minilm-l6-v2-q");
    assertThat(List.of(rebuild.chunkSize(), rebuild.chunkOverlap())).containsExactly(512, 64);
    // A rebuild is validated too, and has nothing follow it.
    verify(activities, times(2)).validate(anyString());
    verify(activities, times(1)).following(anyString(), anyInt());
    if (Boolean.getBoolean("engram.recordHistories")) {
      // Replayed by IngestionWorkflowReplayTest: record it again only after a versioned change.
      Files.writeString(
          Path.of("src/test/resources/" + IngestionWorkflowReplayTest.FOLLOWED),
          client
                  .fetchHistory(WorkflowStub.fromTyped(workflow).getExecution().getWorkflowId())
                  .toJson(true)
              + "\n");
    }
  }

  @Test
  void a_run_that_stored_nothing_has_nothing_follow_and_a_failed_follower_fails_no_run(
      TestWorkflowEnvironment testEnv, Worker worker, WorkflowClient client) {
    IngestionActivities activities = mockActivities();
    when(activities.discover(anyString(), argThat(r -> r != null && !r.rebuilds())))
        .thenReturn(new DiscoveryResult(7, 10, 10, 0, 0, List.of()))
        .thenReturn(new DiscoveryResult(7, 10, 0, 10, 0, List.of()));
    when(activities.discover(anyString(), argThat(r -> r != null && r.rebuilds())))
        .thenThrow(
            ApplicationFailure.newNonRetryableFailure(
                "a document has no recorded source", FailureTypes.INVALID_SOURCE));
    when(activities.processBatch(anyString(), anyInt(), anyInt()))
        .thenAnswer(IngestionWorkflowTest::allDone);
    when(activities.following("default", 7))
        .thenReturn(
            List.of(new FollowingIndex("follow/index-9", new IndexParams(null, 512, null))));
    startWorkers(testEnv, worker, activities);

    IngestionWorkflow unchanged = newWorkflow(client, worker);
    assertThat(unchanged.ingest(REQUEST).skipped()).isEqualTo(10);
    verify(activities, never()).following(anyString(), anyInt());

    IngestionProgress result = newWorkflow(client, worker).ingest(REQUEST);
    assertThat(result.phase()).isEqualTo("done");
    assertThat(result.done()).isEqualTo(10);
    assertThat(result.failed()).isZero();
    verify(activities).following("default", 7);
    // The follower was started, and failed on its own.
    assertThatThrownBy(
            () ->
                client.newUntypedWorkflowStub("follow/index-9").getResult(IngestionProgress.class))
        .isInstanceOf(WorkflowFailedException.class);
    verify(activities).discover(anyString(), argThat(r -> r != null && r.rebuilds()));
  }

  @Test
  void a_lookup_of_the_other_indexes_that_fails_fails_no_run(
      TestWorkflowEnvironment testEnv, Worker worker, WorkflowClient client) {
    IngestionActivities activities = storingTen();
    when(activities.following("default", 7))
        .thenThrow(
            ApplicationFailure.newNonRetryableFailure("the registry is gone", "RegistryDown"));
    startWorkers(testEnv, worker, activities);

    IngestionProgress result = newWorkflow(client, worker).ingest(REQUEST);

    assertThat(result.phase()).isEqualTo("done");
    assertThat(result.done()).isEqualTo(10);
    verify(activities).following("default", 7);
  }

  @Test
  void never_runs_more_than_two_batches_at_once(
      TestWorkflowEnvironment testEnv, Worker worker, WorkflowClient client) {
    ConcurrencyTrackingActivities activities = new ConcurrencyTrackingActivities(320);
    worker.registerActivitiesImplementations(activities);
    testEnv.start();

    IngestionWorkflow workflow = newWorkflow(client, worker);
    WorkflowClient.start(workflow::ingest, REQUEST);
    activities.gate.releaseOneByOne(10, IngestionWorkflowImpl.MAX_PARALLEL_BATCHES);
    IngestionProgress result = WorkflowStub.fromTyped(workflow).getResult(IngestionProgress.class);

    assertThat(activities.calls.get()).isEqualTo(10);
    assertThat(activities.gate.maxInFlight()).isEqualTo(IngestionWorkflowImpl.MAX_PARALLEL_BATCHES);
    assertThat(result.done()).isEqualTo(320);
  }

  @Test
  void failed_documents_are_listed_and_the_run_still_completes(
      TestWorkflowEnvironment testEnv, Worker worker, WorkflowClient client) {
    DocumentError encrypted = new DocumentError("docs/secret.pdf", "encrypted PDF");
    DocumentError empty = new DocumentError("docs/empty.docx", "no text extracted");
    DocumentError binary = new DocumentError("docs/blob.bin", "unsupported content type");
    IngestionActivities activities = mockActivities();
    when(activities.discover(anyString(), any()))
        .thenReturn(new DiscoveryResult(1, 70, 0, 70, 0, List.of()));
    when(activities.processBatch(anyString(), eq(0), eq(32)))
        .thenReturn(new BatchResult(30, 2, 90, List.of(encrypted, empty)));
    when(activities.processBatch(anyString(), eq(32), eq(64)))
        .thenReturn(new BatchResult(31, 1, 93, List.of(binary)));
    when(activities.processBatch(anyString(), eq(64), eq(70)))
        .thenReturn(new BatchResult(6, 0, 18, List.of()));
    worker.registerActivitiesImplementations(activities);
    testEnv.start();

    IngestionProgress result = newWorkflow(client, worker).ingest(REQUEST);

    assertThat(result.phase()).isEqualTo("done");
    assertThat(result.done()).isEqualTo(67);
    assertThat(result.failed()).isEqualTo(3);
    assertThat(result.chunks()).isEqualTo(201);
    // Batches complete in any order, so the errors are listed in any order too.
    assertThat(result.errors()).containsExactlyInAnyOrder(encrypted, empty, binary);
  }

  @Test
  void errors_list_is_capped_but_failed_count_is_exact(
      TestWorkflowEnvironment testEnv, Worker worker, WorkflowClient client) {
    int pending = 256;
    IngestionActivities activities = mockActivities();
    when(activities.discover(anyString(), any()))
        .thenReturn(new DiscoveryResult(1, pending, 0, pending, 0, List.of()));
    when(activities.processBatch(anyString(), anyInt(), anyInt()))
        .thenAnswer(IngestionWorkflowTest::allFailed);
    worker.registerActivitiesImplementations(activities);
    testEnv.start();

    IngestionProgress result = newWorkflow(client, worker).ingest(REQUEST);

    assertThat(pending).isGreaterThan(IngestionWorkflow.MAX_ERRORS);
    assertThat(result.phase()).isEqualTo("done");
    assertThat(result.failed()).isEqualTo(pending);
    assertThat(result.done()).isZero();
    assertThat(result.errors()).hasSize(IngestionWorkflow.MAX_ERRORS).doesNotHaveDuplicates();
  }

  @Test
  void nothing_pending_completes_without_processing(
      TestWorkflowEnvironment testEnv, Worker worker, WorkflowClient client) {
    IngestionActivities activities = mockActivities();
    when(activities.discover(anyString(), any()))
        .thenReturn(new DiscoveryResult(4, 12, 12, 0, 0, List.of()));
    worker.registerActivitiesImplementations(activities);
    testEnv.start();

    IngestionProgress result = newWorkflow(client, worker).ingest(REQUEST);

    verify(activities, never()).processBatch(anyString(), anyInt(), anyInt());
    verify(activities, never()).validate(anyString());
    assertThat(result)
        .isEqualTo(
            new IngestionProgress("done", 12, 0, 12, 0, 0, 0, List.of(), List.of(), 4, null));
  }

  @Test
  void invalid_source_fails_the_workflow_without_retry(
      TestWorkflowEnvironment testEnv, Worker worker, WorkflowClient client) {
    IngestionActivities activities = mockActivities();
    when(activities.discover(anyString(), any()))
        .thenThrow(
            ApplicationFailure.newNonRetryableFailure("no such file", FailureTypes.INVALID_SOURCE));
    worker.registerActivitiesImplementations(activities);
    testEnv.start();

    IngestionWorkflow workflow = newWorkflow(client, worker);
    WorkflowFailedException failure =
        assertThrows(WorkflowFailedException.class, () -> workflow.ingest(REQUEST));

    ApplicationFailure cause = findApplicationFailure(failure);
    assertThat(cause).isNotNull();
    assertThat(cause.getType()).isEqualTo(FailureTypes.INVALID_SOURCE);
    assertThat(cause.getOriginalMessage()).isEqualTo("no such file");
    verify(activities, times(1)).discover(anyString(), any());
    verify(activities, never()).processBatch(anyString(), anyInt(), anyInt());
  }

  @Test
  void transient_batch_failure_is_retried(
      TestWorkflowEnvironment testEnv, Worker worker, WorkflowClient client) {
    IngestionActivities activities = mockActivities();
    when(activities.discover(anyString(), any()))
        .thenReturn(new DiscoveryResult(1, 70, 0, 70, 0, List.of()));
    when(activities.processBatch(anyString(), anyInt(), anyInt()))
        .thenAnswer(IngestionWorkflowTest::allDone);
    // The more specific stubbing wins for the middle batch: it fails once, then succeeds.
    when(activities.processBatch(anyString(), eq(32), eq(64)))
        .thenThrow(new RuntimeException("connection reset by database"))
        .thenReturn(new BatchResult(32, 0, 96, List.of()));
    worker.registerActivitiesImplementations(activities);
    testEnv.start();

    IngestionProgress result = newWorkflow(client, worker).ingest(REQUEST);

    verify(activities, times(2)).processBatch(anyString(), eq(32), eq(64));
    assertThat(result.phase()).isEqualTo("done");
    assertThat(result.done()).isEqualTo(70);
    assertThat(result.chunks()).isEqualTo(70 * 3);
    assertThat(result.failed()).isZero();
  }

  @Test
  void progress_query_reports_running_counts(
      TestWorkflowEnvironment testEnv, Worker worker, WorkflowClient client)
      throws InterruptedException {
    BlockingActivities activities =
        new BlockingActivities(new DiscoveryResult(2, 100, 30, 70, 0, List.of()));
    worker.registerActivitiesImplementations(activities);
    testEnv.start();

    IngestionWorkflow workflow = newWorkflow(client, worker);
    try {
      WorkflowClient.start(workflow::ingest, REQUEST);
      // Both parallel batches have started, so discovery is recorded and no batch has finished.
      assertThat(activities.started.await(30, TimeUnit.SECONDS)).isTrue();

      IngestionProgress running = workflow.progress();
      assertThat(running.phase()).isEqualTo("embedding");
      assertThat(running.total()).isEqualTo(100);
      assertThat(running.skipped()).isEqualTo(30);
      assertThat(running.done()).isZero();
      assertThat(running.indexVersionId()).isEqualTo(2);
    } finally {
      // Released even when an assertion fails, so the blocked activity threads can end.
      activities.release.countDown();
    }

    IngestionProgress result = WorkflowStub.fromTyped(workflow).getResult(IngestionProgress.class);
    assertThat(result.phase()).isEqualTo("done");
    assertThat(result.done()).isEqualTo(70);
    assertThat(result.total()).isEqualTo(100);
    assertThat(result.skipped()).isEqualTo(30);
  }

  @Test
  void workflow_id_is_stable_per_collection_and_origin() {
    String id = IngestionWorkflow.workflowId("default", "/a");

    assertThat(IngestionWorkflow.workflowId("default", "/a")).isEqualTo(id);
    assertThat(IngestionWorkflow.workflowId("default", "/b")).isNotEqualTo(id);
    assertThat(IngestionWorkflow.workflowId("other", "/a")).isNotEqualTo(id);
    assertThat(id).startsWith("ingest-default-");
  }

  /** The test's worker and one on the ingest queue, where followers run, with the same fakes. */
  private static void startWorkers(
      TestWorkflowEnvironment testEnv, Worker worker, IngestionActivities activities) {
    worker.registerActivitiesImplementations(activities);
    Worker ingest = testEnv.newWorker(TaskQueues.INGEST);
    ingest.registerWorkflowImplementationTypes(IngestionWorkflowImpl.class);
    ingest.registerActivitiesImplementations(activities);
    testEnv.start();
  }

  /**
   * Temporal finds the activity methods through the annotations on the registered object's types,
   * so the mock is made without copied annotations, as Temporal's testing guide advises, leaving
   * the interface as their only source.
   */
  private static IngestionActivities mockActivities() {
    IngestionActivities activities =
        mock(IngestionActivities.class, withSettings().withoutAnnotations());
    when(activities.validate(anyString())).thenReturn(NOTHING_WRONG);
    return activities;
  }

  /** Fakes of a run that finds 10 new documents in index version 7 and stores them all. */
  private static IngestionActivities storingTen() {
    IngestionActivities activities = mockActivities();
    when(activities.discover(anyString(), any()))
        .thenReturn(new DiscoveryResult(7, 10, 0, 10, 0, List.of()));
    when(activities.processBatch(anyString(), anyInt(), anyInt()))
        .thenAnswer(IngestionWorkflowTest::allDone);
    return activities;
  }

  /** What validation reports when it finds nothing wrong (in tests that are not about it). */
  static final ValidationReport NOTHING_WRONG =
      new ValidationReport(0, 0, 0, 0, List.of(), List.of());

  private static IngestionWorkflow newWorkflow(WorkflowClient client, Worker worker) {
    return client.newWorkflowStub(
        IngestionWorkflow.class,
        WorkflowOptions.newBuilder()
            .setTaskQueue(worker.getTaskQueue())
            .setWorkflowId(IngestionWorkflow.workflowId(REQUEST.collection(), REQUEST.origin()))
            .build());
  }

  /** A batch in which every document is stored as three chunks. */
  private static BatchResult allDone(InvocationOnMock invocation) {
    int from = invocation.getArgument(1);
    int to = invocation.getArgument(2);
    return new BatchResult(to - from, 0, (to - from) * 3, List.of());
  }

  /** A batch in which every document fails, each with its own error. */
  private static BatchResult allFailed(InvocationOnMock invocation) {
    int from = invocation.getArgument(1);
    int to = invocation.getArgument(2);
    List<DocumentError> errors =
        IntStream.range(from, to)
            .mapToObj(seq -> new DocumentError("docs/" + seq + ".pdf", "corrupt"))
            .toList();
    return new BatchResult(0, to - from, 0, errors);
  }

  private static ApplicationFailure findApplicationFailure(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ApplicationFailure application) {
        return application;
      }
    }
    return null;
  }

  /** Holds every batch at a {@link BatchGate}, which counts how many run at once. */
  public static final class ConcurrencyTrackingActivities implements IngestionActivities {
    final BatchGate gate = BatchGate.closed();
    final AtomicInteger calls = new AtomicInteger();
    private final int pending;

    ConcurrencyTrackingActivities(int pending) {
      this.pending = pending;
    }

    @Override
    public DiscoveryResult discover(String runId, IngestionRequest request) {
      return new DiscoveryResult(1, pending, 0, pending, 0, List.of());
    }

    @Override
    public ValidationReport validate(String runId) {
      return NOTHING_WRONG;
    }

    @Override
    public List<FollowingIndex> following(String collection, int indexVersionId) {
      return List.of();
    }

    @Override
    public BatchResult processBatch(String runId, int fromSeq, int toSeq) {
      calls.incrementAndGet();
      return gate.pass(
          () -> new BatchResult(toSeq - fromSeq, 0, toSeq - fromSeq, new ArrayList<>()));
    }
  }

  /** Holds every batch until released, so the workflow can be queried mid-run. */
  public static final class BlockingActivities implements IngestionActivities {
    final CountDownLatch started = new CountDownLatch(IngestionWorkflowImpl.MAX_PARALLEL_BATCHES);
    final CountDownLatch release = new CountDownLatch(1);
    private final DiscoveryResult discovery;

    BlockingActivities(DiscoveryResult discovery) {
      this.discovery = discovery;
    }

    @Override
    public DiscoveryResult discover(String runId, IngestionRequest request) {
      return discovery;
    }

    @Override
    public ValidationReport validate(String runId) {
      return NOTHING_WRONG;
    }

    @Override
    public List<FollowingIndex> following(String collection, int indexVersionId) {
      return List.of();
    }

    @Override
    public BatchResult processBatch(String runId, int fromSeq, int toSeq) {
      started.countDown();
      try {
        if (!release.await(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("the test never released the batch");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      return new BatchResult(toSeq - fromSeq, 0, toSeq - fromSeq, List.of());
    }
  }
}
