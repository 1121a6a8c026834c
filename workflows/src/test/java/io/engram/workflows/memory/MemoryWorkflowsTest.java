package io.engram.workflows.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import io.engram.contract.Memory.PromotionOutcome;
import io.engram.workflows.common.EngramSearchAttributes;
import io.engram.workflows.common.FailureTypes;
import io.engram.workflows.common.TaskQueues;
import io.engram.workflows.ingestion.BatchResult;
import io.engram.workflows.ingestion.DiscoveryResult;
import io.engram.workflows.ingestion.IngestionActivities;
import io.engram.workflows.ingestion.IngestionRequest;
import io.engram.workflows.ingestion.IngestionWorkflow;
import io.engram.workflows.ingestion.IngestionWorkflowImpl;
import io.engram.workflows.ingestion.ValidationReport;
import io.temporal.activity.Activity;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.BatchRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mockito.ArgumentCaptor;
import org.mockito.InOrder;

/** The memory workflows against mocked activities, with time skipping. */
@Timeout(60)
class MemoryWorkflowsTest {

  @RegisterExtension static final TestWorkflowExtension testWorkflow = extension();

  static TestWorkflowExtension extension() {
    TestWorkflowExtension.Builder builder =
        TestWorkflowExtension.newBuilder()
            .setWorkflowTypes(
                DistillationWorkflowImpl.class,
                PromotionWorkflowImpl.class,
                MaintenanceWorkflowImpl.class,
                IncrementalIngestWorkflowImpl.class,
                IngestionWorkflowImpl.class)
            .setInitialTime(Instant.parse("2026-01-05T09:00:00Z"))
            .setDoNotStart(true);
    for (Map.Entry<String, IndexedValueType> a : EngramSearchAttributes.ALL.entrySet()) {
      builder.registerSearchAttribute(a.getKey(), a.getValue());
    }
    return builder.build();
  }

  private final DistillationActivities distillation = mockOf(DistillationActivities.class);
  private final PromotionActivities promotion = mockOf(PromotionActivities.class);
  private final MaintenanceActivities maintenance = mockOf(MaintenanceActivities.class);

  /**
   * Temporal finds the activity methods through the annotations of the interfaces, so mocks are
   * made without copied annotations.
   */
  private static <T> T mockOf(Class<T> type) {
    return mock(type, withSettings().withoutAnnotations());
  }

  /** Registers the mocks on the test's queue and on {@code llm}, where extraction runs. */
  private void start(TestWorkflowEnvironment env, Worker worker, Object... more) {
    List<Object> all = new ArrayList<>(List.of(distillation, promotion, maintenance));
    all.addAll(List.of(more));
    worker.registerActivitiesImplementations(all.toArray());
    env.newWorker(TaskQueues.LLM).registerActivitiesImplementations(distillation);
    env.start();
  }

  private static <T> T stub(WorkflowClient client, Worker worker, Class<T> type, String id) {
    return client.newWorkflowStub(
        type,
        WorkflowOptions.newBuilder()
            .setWorkflowId(id)
            .setTaskQueue(worker.getTaskQueue())
            .setTypedSearchAttributes(MemoryJobs.searchAttributes("test"))
            .build());
  }

  private static DistillationBatchResult stored(long to, Long... ids) {
    return new DistillationBatchResult(to, List.of(ids), List.of(), List.of(), "local", false);
  }

  private static DistillationWorkflow signalWithStart(
      WorkflowClient client, Worker worker, long turn) {
    return signalWithStart(client, worker, "s-1", turn);
  }

  /**
   * Signals {@code session}'s distillation that turns up to {@code turn} wait, starting it if it
   * does not run, as the query path does. A stub starts one execution, so each call takes a fresh
   * one, as clients do.
   */
  static DistillationWorkflow signalWithStart(
      WorkflowClient client, Worker worker, String session, long turn) {
    DistillationWorkflow workflow =
        client.newWorkflowStub(
            DistillationWorkflow.class,
            DistillationWorkflow.startOptions(session).toBuilder()
                .setTaskQueue(worker.getTaskQueue())
                .build());
    BatchRequest request = client.newSignalWithStartRequest();
    request.add(workflow::distill, DistillationRequest.of(session));
    request.add(workflow::turnsAdded, turn);
    client.signalWithStart(request);
    return workflow;
  }

  @Test
  void distillation_distils_the_signalled_turns_and_completes_when_idle(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    when(distillation.pendingTurns("s-1", SessionDistillation.BATCH_TURNS))
        .thenReturn(List.of(1L, 2L, 3L, 4L))
        .thenReturn(List.of());
    when(distillation.distill(eq("s-1"), eq(List.of(1L, 2L, 3L, 4L)), anyLong()))
        .thenReturn(stored(4, 10L, 11L));
    start(env, worker);

    DistillationWorkflow workflow = signalWithStart(client, worker, 4);
    DistillationSummary summary =
        WorkflowStub.fromTyped(workflow).getResult(DistillationSummary.class);

    assertThat(summary.distilledUpTo()).isEqualTo(4);
    assertThat(summary.batches()).isEqualTo(1);
    assertThat(summary.stored()).isEqualTo(2);
    assertThat(summary.factIds()).containsExactly(10L, 11L);
    verify(distillation, never()).recordFailedBatch(anyString(), anyList(), anyString(), anyLong());
    var described = WorkflowStub.fromTyped(workflow).describe();
    assertThat(described.getTypedSearchAttributes().get(EngramSearchAttributes.JOB_TYPE))
        .isEqualTo(MemoryJobs.DISTILLATION);
    assertThat(described.getTypedSearchAttributes().get(EngramSearchAttributes.SESSION))
        .isEqualTo("s-1");
  }

  @Test
  void turns_signalled_while_a_run_waits_are_distilled_by_the_same_run(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    when(distillation.pendingTurns("s-1", SessionDistillation.BATCH_TURNS))
        .thenReturn(List.of(1L, 2L))
        .thenReturn(List.of(3L, 4L));
    when(distillation.distill(eq("s-1"), anyList(), anyLong()))
        .thenReturn(stored(2, 1L))
        .thenReturn(stored(4, 2L));
    start(env, worker);

    DistillationWorkflow workflow = signalWithStart(client, worker, 2);
    env.sleep(Duration.ofMinutes(5));
    assertThat(workflow.summary().batches()).isEqualTo(1);
    signalWithStart(client, worker, 4);
    DistillationSummary summary =
        WorkflowStub.fromTyped(workflow).getResult(DistillationSummary.class);

    assertThat(summary.batches()).isEqualTo(2);
    assertThat(summary.distilledUpTo()).isEqualTo(4);
    assertThat(summary.factIds()).containsExactly(1L, 2L);
  }

  @Test
  void a_malformed_extraction_is_retried_then_recorded_as_failed_and_stores_nothing(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    when(distillation.pendingTurns("s-1", SessionDistillation.BATCH_TURNS))
        .thenReturn(List.of(7L, 8L))
        .thenReturn(List.of());
    when(distillation.distill(eq("s-1"), anyList(), anyLong()))
        .thenAnswer(
            inv -> {
              // As the activity does: malformed output is retryable until the last attempt.
              String message = "the LLM's answer is not JSON";
              throw Activity.getExecutionContext().getInfo().getAttempt()
                      < SessionDistillation.EXTRACTION_ATTEMPTS
                  ? ApplicationFailure.newFailure(message, FailureTypes.MALFORMED_EXTRACTION)
                  : ApplicationFailure.newNonRetryableFailure(
                      message, FailureTypes.MALFORMED_EXTRACTION);
            });
    start(env, worker);

    DistillationSummary summary =
        WorkflowStub.fromTyped(signalWithStart(client, worker, 8))
            .getResult(DistillationSummary.class);

    verify(distillation, times(SessionDistillation.EXTRACTION_ATTEMPTS))
        .distill(eq("s-1"), anyList(), anyLong());
    verify(distillation)
        .recordFailedBatch(
            eq("s-1"), eq(List.of(7L, 8L)), eq("the LLM's answer is not JSON"), anyLong());
    assertThat(summary.failedBatches()).isEqualTo(1);
    assertThat(summary.stored()).isZero();
    assertThat(summary.distilledUpTo()).isEqualTo(8);
    assertThat(summary.lastError()).isEqualTo("the LLM's answer is not JSON");
  }

  /** What a worker sees while the database restarts or the LLM call times out. */
  private static final RuntimeException DOWN =
      new IllegalStateException("connection refused: the database is restarting");

  @Test
  void a_transient_extraction_failure_is_retried_until_the_batch_is_distilled(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    when(distillation.pendingTurns("s-1", SessionDistillation.BATCH_TURNS))
        .thenReturn(List.of(1L, 2L, 3L, 4L))
        .thenReturn(List.of());
    // More failed attempts than a malformed answer gets: an outage is not the model's fault.
    when(distillation.distill(eq("s-1"), anyList(), anyLong()))
        .thenThrow(DOWN, DOWN, DOWN, DOWN, DOWN)
        .thenReturn(stored(4, 10L, 11L));
    start(env, worker);

    DistillationSummary summary =
        WorkflowStub.fromTyped(signalWithStart(client, worker, 4))
            .getResult(DistillationSummary.class);

    verify(distillation, times(6)).distill(eq("s-1"), eq(List.of(1L, 2L, 3L, 4L)), anyLong());
    verify(distillation, never()).recordFailedBatch(anyString(), anyList(), anyString(), anyLong());
    assertThat(summary.distilledUpTo()).isEqualTo(4);
    assertThat(summary.failedBatches()).isZero();
    assertThat(summary.factIds()).containsExactly(10L, 11L);
  }

  @Test
  void an_extraction_failure_that_outlasts_its_retries_leaves_the_turns_for_the_next_run(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    when(distillation.pendingTurns("s-1", SessionDistillation.BATCH_TURNS))
        .thenReturn(List.of(1L, 2L, 3L, 4L))
        .thenReturn(List.of(1L, 2L, 3L, 4L, 5L, 6L))
        .thenReturn(List.of());
    AtomicBoolean down = new AtomicBoolean(true);
    when(distillation.distill(eq("s-1"), anyList(), anyLong()))
        .thenAnswer(
            inv -> {
              if (down.get()) {
                throw DOWN;
              }
              return stored(6, 10L);
            });
    start(env, worker);

    DistillationSummary failed =
        WorkflowStub.fromTyped(signalWithStart(client, worker, 4))
            .getResult(DistillationSummary.class);

    // Nothing recorded: the watermark stays before the batch, whose turns a close keeps.
    verify(distillation, never()).recordFailedBatch(anyString(), anyList(), anyString(), anyLong());
    assertThat(failed.distilledUpTo()).isZero();
    assertThat(failed.failedBatches()).isZero();
    assertThat(failed.lastError()).contains("connection refused");

    // The outage is over: the session's next turns start a run that distils the batch too.
    down.set(false);
    DistillationSummary next =
        WorkflowStub.fromTyped(signalWithStart(client, worker, 6))
            .getResult(DistillationSummary.class);

    verify(distillation).distill(eq("s-1"), eq(List.of(1L, 2L, 3L, 4L, 5L, 6L)), anyLong());
    assertThat(next.distilledUpTo()).isEqualTo(6);
    assertThat(next.factIds()).containsExactly(10L);
    verify(distillation, never()).recordFailedBatch(anyString(), anyList(), anyString(), anyLong());
  }

  @Test
  void a_deleted_session_ends_distillation_without_retries(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    when(distillation.pendingTurns("s-1", SessionDistillation.BATCH_TURNS)).thenReturn(List.of(1L));
    when(distillation.distill(eq("s-1"), anyList(), anyLong()))
        .thenThrow(
            ApplicationFailure.newNonRetryableFailure(
                "no session s-1", FailureTypes.UNKNOWN_SESSION));
    start(env, worker);

    DistillationSummary summary =
        WorkflowStub.fromTyped(signalWithStart(client, worker, 1))
            .getResult(DistillationSummary.class);

    verify(distillation, times(1)).distill(eq("s-1"), anyList(), anyLong());
    verify(distillation, never()).recordFailedBatch(anyString(), anyList(), anyString(), anyLong());
    assertThat(summary.lastError()).isEqualTo("no session s-1");
  }

  @Test
  void promotion_flushes_citations_then_promotes_batches_until_one_is_short(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    when(maintenance.flushCitations(anyLong())).thenReturn(new CitationFlush(12, 2, 0));
    when(promotion.promoteBatch(any()))
        .thenAnswer(
            inv -> {
              PromotionBatch b = inv.getArgument(0);
              return switch (b.batchNo()) {
                case 0 ->
                    new PromotionBatchResult(List.of(1L, 2L), List.of(101L, 102L), 2, true, false);
                case 1 -> new PromotionBatchResult(List.of(5L), List.of(103L), 5, false, false);
                default -> throw new IllegalStateException("no third batch expected");
              };
            });
    start(env, worker);

    PromotionWorkflow workflow = stub(client, worker, PromotionWorkflow.class, "promote-1");
    PromotionOutcome result =
        workflow.promote(new PromotionRequest(false, 0.8, 5, Duration.ofDays(7), 2, null));

    assertThat(result.phase()).isEqualTo("done");
    assertThat(result.citationsFlushed()).isEqualTo(12);
    assertThat(result.batches()).isEqualTo(2);
    assertThat(result.promoted()).isEqualTo(3);
    assertThat(result.episodicIds()).containsExactly(1L, 2L, 5L);
    assertThat(result.semanticIds()).containsExactly(101L, 102L, 103L);
    InOrder order = inOrder(maintenance, promotion);
    order.verify(maintenance).flushCitations(anyLong());
    order.verify(promotion, times(2)).promoteBatch(any());
    ArgumentCaptor<PromotionBatch> captor = ArgumentCaptor.forClass(PromotionBatch.class);
    verify(promotion, times(2)).promoteBatch(captor.capture());
    List<PromotionBatch> batches = captor.getAllValues();
    assertThat(batches.get(1).afterId()).isEqualTo(2);
    assertThat(batches.get(0).runKey()).isEqualTo(batches.get(1).runKey()).startsWith("promote-1/");
    assertThat(batches.get(0).nowMillis()).isEqualTo(batches.get(1).nowMillis());
    assertThat(batches.get(0).minAgeMillis()).isEqualTo(Duration.ofDays(7).toMillis());
  }

  @Test
  void a_dry_run_writes_nothing_and_reports_what_it_would_promote(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    when(promotion.promoteBatch(any()))
        .thenReturn(new PromotionBatchResult(List.of(3L, 4L), List.of(), 4, false, false));
    start(env, worker);

    PromotionOutcome result =
        stub(client, worker, PromotionWorkflow.class, "dry-1")
            .promote(PromotionRequest.defaults(true));

    assertThat(result.dryRun()).isTrue();
    assertThat(result.promoted()).isEqualTo(2);
    assertThat(result.episodicIds()).containsExactly(3L, 4L);
    verify(maintenance, never()).flushCitations(anyLong());
    verify(promotion).promoteBatch(org.mockito.ArgumentMatchers.argThat(PromotionBatch::dryRun));
  }

  @Test
  void promotion_runs_once_a_day_as_a_cron_workflow(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    List<Long> runs = new ArrayList<>();
    when(maintenance.flushCitations(anyLong())).thenReturn(new CitationFlush(0, 0, 0));
    when(promotion.promoteBatch(any()))
        .thenAnswer(
            inv -> {
              runs.add(((PromotionBatch) inv.getArgument(0)).nowMillis());
              return new PromotionBatchResult(List.of(), List.of(), 0, false, false);
            });
    start(env, worker);

    PromotionWorkflow workflow =
        client.newWorkflowStub(
            PromotionWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(MemoryJobs.scheduleId(MemoryJobs.PROMOTION))
                .setTaskQueue(worker.getTaskQueue())
                .setCronSchedule("0 3 * * *")
                .build());
    WorkflowClient.start(workflow::promote, PromotionRequest.defaults(false));
    env.sleep(Duration.ofDays(3));

    assertThat(runs).hasSize(3);
    assertThat(runs)
        // The test server starts each run a few milliseconds after the cron time.
        .extracting(m -> Instant.ofEpochMilli(m).truncatedTo(java.time.temporal.ChronoUnit.MINUTES))
        .containsExactly(
            Instant.parse("2026-01-06T03:00:00Z"),
            Instant.parse("2026-01-07T03:00:00Z"),
            Instant.parse("2026-01-08T03:00:00Z"));
    WorkflowStub.fromTyped(workflow).terminate("test over");
  }

  @Test
  void salience_flushes_then_decays_and_ttl_cleanup_deletes(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    when(maintenance.flushCitations(anyLong())).thenReturn(new CitationFlush(4, 3, 1));
    when(maintenance.decaySalience(anyLong())).thenReturn(17L);
    when(maintenance.deleteExpired(anyLong())).thenReturn(new TtlCleanup(5, 9));
    start(env, worker);

    MaintenanceResult salience =
        stub(client, worker, MaintenanceWorkflow.class, "salience-1")
            .run(MaintenanceRequest.of(MaintenanceJob.SALIENCE));
    MaintenanceResult ttl =
        stub(client, worker, MaintenanceWorkflow.class, "ttl-1")
            .run(MaintenanceRequest.of(MaintenanceJob.TTL_CLEANUP));

    assertThat(salience.job()).isEqualTo("salience");
    assertThat(salience.citationsFlushed()).isEqualTo(4);
    assertThat(salience.factsDecayed()).isEqualTo(17);
    InOrder order = inOrder(maintenance);
    order.verify(maintenance).flushCitations(anyLong());
    order.verify(maintenance).decaySalience(anyLong());
    assertThat(ttl.factsExpired()).isEqualTo(5);
    assertThat(ttl.turnsReleased()).isEqualTo(9);
    assertThat(
            client
                .newUntypedWorkflowStub("ttl-1")
                .describe()
                .getTypedSearchAttributes()
                .get(EngramSearchAttributes.JOB_TYPE))
        .isEqualTo(MemoryJobs.TTL_CLEANUP);
  }

  /** A page of idle sessions whose cursor is its last session's. */
  private static IdleSessionPage page(String... sessions) {
    return new IdleSessionPage(List.of(sessions), cursor(sessions[sessions.length - 1]));
  }

  private static IdleSessionCursor cursor(String session) {
    return new IdleSessionCursor(1767600000000000L + session.hashCode(), session);
  }

  @Test
  void session_cleanup_distils_what_is_left_before_closing_each_idle_session(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    when(maintenance.idleSessionsAfter(anyLong(), eq(Duration.ofMinutes(30)), anyInt(), any()))
        .thenReturn(page("a", "b"));
    when(distillation.pendingTurns(eq("a"), anyInt()))
        .thenReturn(List.of(1L, 2L))
        .thenReturn(List.of());
    when(distillation.pendingTurns(eq("b"), anyInt())).thenReturn(List.of());
    when(distillation.distill(eq("a"), anyList(), anyLong())).thenReturn(stored(2, 9L));
    when(maintenance.closeSession(anyString(), anyLong())).thenReturn(new SessionClosed(true, 3));
    start(env, worker);

    MaintenanceResult result =
        stub(client, worker, MaintenanceWorkflow.class, "sessions-1")
            .run(MaintenanceRequest.of(MaintenanceJob.SESSION_CLEANUP));

    InOrder order = inOrder(distillation, maintenance);
    order.verify(distillation).distill(eq("a"), eq(List.of(1L, 2L)), anyLong());
    order.verify(maintenance).closeSession(eq("a"), anyLong());
    order.verify(maintenance).closeSession(eq("b"), anyLong());
    assertThat(result.sessionsClosed()).isEqualTo(2);
    assertThat(result.turnsReleased()).isEqualTo(6);
    assertThat(result.batchesDistilled()).isEqualTo(1);
  }

  @Test
  void session_cleanup_reads_page_after_page_until_a_page_is_short(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    when(maintenance.idleSessionsAfter(anyLong(), eq(Duration.ofMinutes(30)), eq(2), any()))
        .thenReturn(page("a", "b"))
        .thenReturn(page("c", "d"))
        .thenReturn(page("e"));
    when(distillation.pendingTurns(anyString(), anyInt())).thenReturn(List.of());
    when(maintenance.closeSession(anyString(), anyLong())).thenReturn(new SessionClosed(true, 1));
    start(env, worker);

    MaintenanceResult result =
        stub(client, worker, MaintenanceWorkflow.class, "sessions-paged")
            .run(new MaintenanceRequest(MaintenanceJob.SESSION_CLEANUP, null, 2));

    // Each page starts after the last session of the page before.
    InOrder pages = inOrder(maintenance);
    pages.verify(maintenance).idleSessionsAfter(anyLong(), any(), eq(2), eq(null));
    pages.verify(maintenance).idleSessionsAfter(anyLong(), any(), eq(2), eq(cursor("b")));
    pages.verify(maintenance).idleSessionsAfter(anyLong(), any(), eq(2), eq(cursor("d")));
    verify(maintenance, never()).idleSessions(anyLong(), any(), anyInt());
    for (String id : List.of("a", "b", "c", "d", "e")) {
      verify(maintenance).closeSession(eq(id), anyLong());
    }
    assertThat(result.sessionsClosed()).isEqualTo(5);
  }

  @Test
  void session_cleanup_continues_as_new_after_its_pages_per_run(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    AtomicLong next = new AtomicLong();
    int pages = MaintenanceWorkflowImpl.PAGES_PER_RUN;
    when(maintenance.idleSessionsAfter(anyLong(), eq(Duration.ofMinutes(30)), eq(2), any()))
        .thenAnswer(
            call ->
                next.get() < 2L * pages + 2
                    ? page("s" + next.incrementAndGet(), "s" + next.incrementAndGet())
                    : page("last"));
    when(distillation.pendingTurns(anyString(), anyInt())).thenReturn(List.of());
    when(maintenance.closeSession(anyString(), anyLong())).thenReturn(new SessionClosed(true, 0));
    start(env, worker);

    // The first run continued as new after its pages; the last one reports the whole chain.
    MaintenanceResult all =
        stub(client, worker, MaintenanceWorkflow.class, "sessions-continued")
            .run(new MaintenanceRequest(MaintenanceJob.SESSION_CLEANUP, null, 2));

    verify(maintenance, times(2 * pages + 2 + 1)).closeSession(anyString(), anyLong());
    verify(maintenance).closeSession(eq("last"), anyLong());
    assertThat(all.sessionsClosed()).isEqualTo(2L * pages + 2 + 1);
  }

  /**
   * Idle sessions as the database holds them, in the order both reads of {@link
   * MaintenanceActivities} return them; a closed session leaves them. Sessions named "stuck…"
   * cannot be distilled now (the extraction is down), so cleanup leaves them open.
   */
  private static final class IdleTable {
    private final List<String> sessions;
    private final java.util.Set<String> closed = new java.util.HashSet<>();

    IdleTable(List<String> sessions) {
      this.sessions = List.copyOf(sessions);
    }

    synchronized List<String> head(int limit) {
      return sessions.stream().filter(s -> !closed.contains(s)).limit(limit).toList();
    }

    synchronized IdleSessionPage after(int limit, IdleSessionCursor after) {
      int from = after == null ? 0 : sessions.indexOf(after.sessionId()) + 1;
      List<String> page =
          sessions.subList(from, sessions.size()).stream()
              .filter(s -> !closed.contains(s))
              .limit(limit)
              .toList();
      if (page.isEmpty()) {
        return new IdleSessionPage(page, after);
      }
      String last = page.get(page.size() - 1);
      return new IdleSessionPage(page, new IdleSessionCursor(sessions.indexOf(last), last));
    }

    synchronized SessionClosed close(String session) {
      return new SessionClosed(closed.add(session), 0);
    }

    synchronized java.util.Set<String> closed() {
      return java.util.Set.copyOf(closed);
    }
  }

  /** Answers the maintenance and distillation mocks from {@code table}. */
  private void idle(IdleTable table) {
    when(maintenance.idleSessions(anyLong(), eq(Duration.ofMinutes(30)), anyInt()))
        .thenAnswer(call -> table.head(call.getArgument(2)));
    when(maintenance.idleSessionsAfter(anyLong(), eq(Duration.ofMinutes(30)), anyInt(), any()))
        .thenAnswer(call -> table.after(call.getArgument(2), call.getArgument(3)));
    when(maintenance.closeSession(anyString(), anyLong()))
        .thenAnswer(call -> table.close(call.getArgument(0)));
    when(distillation.pendingTurns(anyString(), anyInt()))
        .thenAnswer(
            call -> ((String) call.getArgument(0)).startsWith("stuck") ? List.of(1L) : List.of());
    when(distillation.distill(
            org.mockito.ArgumentMatchers.startsWith("stuck"), anyList(), anyLong()))
        .thenThrow(ApplicationFailure.newNonRetryableFailure("connection refused", "Outage"));
  }

  @Test
  void session_cleanup_closes_the_idle_sessions_behind_more_left_open_ones_than_a_page(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    IdleTable table =
        new IdleTable(List.of("stuck-1", "stuck-2", "stuck-3", "idle-1", "idle-2", "idle-3"));
    idle(table);
    start(env, worker);

    MaintenanceResult result =
        stub(client, worker, MaintenanceWorkflow.class, "sessions-behind-stuck")
            .run(new MaintenanceRequest(MaintenanceJob.SESSION_CLEANUP, null, 2));

    assertThat(table.closed()).containsExactlyInAnyOrder("idle-1", "idle-2", "idle-3");
    assertThat(result.sessionsClosed()).isEqualTo(3);
    // Each session left open was tried once in the run, not once a page.
    for (String stuck : List.of("stuck-1", "stuck-2", "stuck-3")) {
      verify(distillation).pendingTurns(eq(stuck), anyInt());
    }
  }

  @Test
  void a_continued_session_cleanup_starts_after_the_last_page_of_the_run_before(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    List<String> sessions = new ArrayList<>();
    for (int i = 1; i <= MaintenanceWorkflowImpl.PAGES_PER_RUN; i++) {
      sessions.add("stuck-" + i);
    }
    sessions.add("idle-1");
    IdleTable table = new IdleTable(sessions);
    idle(table);
    start(env, worker);

    // Pages of one: the first run reads only sessions it leaves open, then continues as new.
    MaintenanceResult result =
        stub(client, worker, MaintenanceWorkflow.class, "sessions-continued-behind-stuck")
            .run(new MaintenanceRequest(MaintenanceJob.SESSION_CLEANUP, null, 1));

    assertThat(table.closed()).containsExactly("idle-1");
    assertThat(result.sessionsClosed()).isEqualTo(1);
    for (String stuck : sessions.subList(0, MaintenanceWorkflowImpl.PAGES_PER_RUN)) {
      verify(distillation).pendingTurns(eq(stuck), anyInt());
    }
  }

  @Test
  void session_cleanup_keeps_a_session_open_while_its_extraction_fails(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    when(maintenance.idleSessionsAfter(anyLong(), eq(Duration.ofMinutes(30)), anyInt(), any()))
        .thenReturn(page("a", "b"));
    when(distillation.pendingTurns(eq("a"), anyInt()))
        .thenReturn(List.of(1L, 2L))
        .thenReturn(List.of());
    when(distillation.pendingTurns(eq("b"), anyInt())).thenReturn(List.of());
    when(distillation.distill(eq("a"), anyList(), anyLong())).thenThrow(DOWN);
    when(maintenance.closeSession(anyString(), anyLong())).thenReturn(new SessionClosed(true, 3));
    start(env, worker);

    MaintenanceResult result =
        stub(client, worker, MaintenanceWorkflow.class, "sessions-down")
            .run(MaintenanceRequest.of(MaintenanceJob.SESSION_CLEANUP));

    // "a" stays open with its turns pending, for the next cleanup; "b" is closed.
    verify(distillation, never()).recordFailedBatch(anyString(), anyList(), anyString(), anyLong());
    verify(maintenance, never()).closeSession(eq("a"), anyLong());
    verify(maintenance).closeSession(eq("b"), anyLong());
    assertThat(result.sessionsClosed()).isEqualTo(1);
    assertThat(result.distillationFailures()).isZero();
  }

  @Test
  void incremental_ingest_runs_an_ingestion_per_directory_and_reports_failures_alone(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    IngestionActivities ingestion = mockOf(IngestionActivities.class);
    AtomicLong discovered = new AtomicLong();
    when(ingestion.discover(anyString(), any()))
        .thenAnswer(
            inv -> {
              IngestionRequest r = inv.getArgument(1);
              discovered.incrementAndGet();
              if (r.path().equals("/gone")) {
                throw ApplicationFailure.newNonRetryableFailure(
                    "no such directory /gone", FailureTypes.INVALID_SOURCE);
              }
              return new DiscoveryResult(1, 3, 2, 1, 0, List.of());
            });
    when(ingestion.processBatch(anyString(), anyInt(), anyInt()))
        .thenReturn(new BatchResult(1, 0, 2, List.of()));
    when(ingestion.validate(anyString()))
        .thenReturn(new ValidationReport(1, 0, 1, 0, List.of(), List.of()));
    // Children run on the ingest queue, as in production.
    Worker ingest = env.newWorker(TaskQueues.INGEST);
    ingest.registerWorkflowImplementationTypes(IngestionWorkflowImpl.class);
    ingest.registerActivitiesImplementations(ingestion);
    start(env, worker);

    IncrementalIngestResult result =
        stub(client, worker, IncrementalIngestWorkflow.class, "incremental-1")
            .ingest(
                new IncrementalIngestRequest(
                    List.of(
                        new IngestSource("notes", "/srv/notes"), new IngestSource("x", "/gone"))));

    assertThat(result.outcomes()).hasSize(2);
    IngestOutcome notes = result.outcomes().get(0);
    assertThat(notes.status()).isEqualTo("completed");
    assertThat(notes.skipped()).isEqualTo(2);
    assertThat(notes.done()).isEqualTo(1);
    assertThat(notes.workflowId()).startsWith("ingest-notes-");
    IngestOutcome gone = result.outcomes().get(1);
    assertThat(gone.status()).isEqualTo("failed");
    assertThat(gone.error()).isEqualTo("no such directory /gone");
  }

  /** Holds a workflow id, as a running ingestion of the same source does. */
  @WorkflowInterface
  public interface Holder {
    @WorkflowMethod
    void hold();
  }

  public static class HolderImpl implements Holder {
    @Override
    public void hold() {
      Workflow.await(() -> false);
    }
  }

  @Test
  void incremental_ingest_leaves_a_source_whose_ingestion_is_running_alone(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    IngestionActivities ingestion = mockOf(IngestionActivities.class);
    when(ingestion.discover(anyString(), any()))
        .thenReturn(new DiscoveryResult(1, 1, 0, 0, 0, List.of()));
    when(ingestion.processBatch(anyString(), anyInt(), anyInt()))
        .thenReturn(new BatchResult(1, 0, 0, List.of()));
    Worker ingest = env.newWorker(TaskQueues.INGEST);
    ingest.registerWorkflowImplementationTypes(IngestionWorkflowImpl.class);
    ingest.registerActivitiesImplementations(ingestion);
    Worker holders = env.newWorker("holders");
    holders.registerWorkflowImplementationTypes(HolderImpl.class);
    start(env, worker);
    String busyId = IngestionWorkflow.workflowId("busy", "/srv/busy");
    WorkflowClient.start(
        client.newWorkflowStub(
                Holder.class,
                WorkflowOptions.newBuilder().setWorkflowId(busyId).setTaskQueue("holders").build())
            ::hold);

    IncrementalIngestResult result =
        stub(client, worker, IncrementalIngestWorkflow.class, "incremental-busy")
            .ingest(
                new IncrementalIngestRequest(
                    List.of(
                        new IngestSource("busy", "/srv/busy"),
                        new IngestSource("notes", "/srv/notes"))));

    IngestOutcome busy = result.outcomes().get(0);
    assertThat(busy.status()).isEqualTo("already-running");
    assertThat(busy.workflowId()).isEqualTo(busyId);
    assertThat(busy.error()).isNull();
    assertThat(result.outcomes().get(1).status()).isEqualTo("completed");
    // Only the other source was ingested: the running one was left alone, not raced.
    verify(ingestion, times(1)).discover(anyString(), any());
    // The holder is left running: the extension closes this test's environment with it.
  }
}
