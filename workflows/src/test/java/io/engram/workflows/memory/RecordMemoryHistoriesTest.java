package io.engram.workflows.memory;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import io.engram.workflows.common.FailureTypes;
import io.engram.workflows.common.TaskQueues;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Records the histories {@link MemoryWorkflowReplayTest} replays. Off by default; run it after a
 * deliberate, versioned change to a memory workflow with {@code -Dengram.recordHistories=true} and
 * check the new files in.
 */
@Timeout(60)
@EnabledIfSystemProperty(named = "engram.recordHistories", matches = "true")
class RecordMemoryHistoriesTest {

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow = MemoryWorkflowsTest.extension();

  private static final Path DIR = Path.of("src/test/resources/histories");

  @Test
  void distillation_with_a_second_signal_and_a_failed_batch(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) throws IOException {
    DistillationActivities activities =
        mock(DistillationActivities.class, withSettings().withoutAnnotations());
    when(activities.pendingTurns("7f7a", SessionDistillation.BATCH_TURNS))
        .thenReturn(List.of(1L, 2L, 3L, 4L))
        .thenReturn(List.of(5L, 6L));
    when(activities.distill(eq("7f7a"), eq(List.of(1L, 2L, 3L, 4L)), anyLong()))
        .thenReturn(
            new DistillationBatchResult(
                4, List.of(10L, 11L), List.of(), List.of(), "local", false));
    when(activities.distill(eq("7f7a"), eq(List.of(5L, 6L)), anyLong()))
        .thenThrow(
            ApplicationFailure.newFailure(
                "the LLM's answer is not JSON", FailureTypes.MALFORMED_EXTRACTION));
    worker.registerActivitiesImplementations(activities);
    env.newWorker(TaskQueues.LLM).registerActivitiesImplementations(activities);
    env.start();

    DistillationWorkflow workflow = MemoryWorkflowsTest.signalWithStart(client, worker, "7f7a", 4);
    env.sleep(Duration.ofMinutes(2));
    MemoryWorkflowsTest.signalWithStart(client, worker, "7f7a", 6);
    WorkflowStub.fromTyped(workflow).getResult(DistillationSummary.class);

    write(client, DistillationWorkflow.workflowId("7f7a"), "distillation-signal-and-failed-batch");
  }

  /**
   * Extraction failing through all its retries for another reason than its output. Recorded before
   * {@link SessionDistillation#ONLY_MALFORMED_FAILS} (the batch recorded as failed) and after it
   * (the batch left pending): both must replay.
   */
  @Test
  void distillation_with_an_extraction_outage(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) throws IOException {
    DistillationActivities activities =
        mock(DistillationActivities.class, withSettings().withoutAnnotations());
    when(activities.pendingTurns("7f7b", SessionDistillation.BATCH_TURNS))
        .thenReturn(List.of(1L, 2L))
        .thenReturn(List.of());
    when(activities.distill(eq("7f7b"), eq(List.of(1L, 2L)), anyLong()))
        .thenThrow(new IllegalStateException("connection refused: the database is restarting"));
    worker.registerActivitiesImplementations(activities);
    env.newWorker(TaskQueues.LLM).registerActivitiesImplementations(activities);
    env.start();

    DistillationWorkflow workflow = MemoryWorkflowsTest.signalWithStart(client, worker, "7f7b", 2);
    WorkflowStub.fromTyped(workflow).getResult(DistillationSummary.class);

    write(client, DistillationWorkflow.workflowId("7f7b"), "distillation-extraction-outage");
  }

  @Test
  void promotion_in_two_batches(TestWorkflowEnvironment env, Worker worker, WorkflowClient client)
      throws IOException {
    PromotionActivities promotion =
        mock(PromotionActivities.class, withSettings().withoutAnnotations());
    MaintenanceActivities maintenance =
        mock(MaintenanceActivities.class, withSettings().withoutAnnotations());
    when(maintenance.flushCitations(anyLong())).thenReturn(new CitationFlush(6, 1, 0));
    when(promotion.promoteBatch(any()))
        .thenReturn(new PromotionBatchResult(List.of(1L, 2L), List.of(1L, 2L), 2, true, false))
        .thenReturn(new PromotionBatchResult(List.of(3L), List.of(3L), 3, false, false));
    worker.registerActivitiesImplementations(promotion, maintenance);
    env.start();

    PromotionWorkflow workflow =
        client.newWorkflowStub(
            PromotionWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId("engram-promotion-recorded")
                .setTaskQueue(worker.getTaskQueue())
                .setTypedSearchAttributes(MemoryJobs.searchAttributes(MemoryJobs.PROMOTION))
                .build());
    workflow.promote(new PromotionRequest(false, 0.8, 5, Duration.ofDays(7), 2, null));

    write(client, "engram-promotion-recorded", "promotion-two-batches");
  }

  /**
   * A session cleanup that reads two pages of idle sessions (two, then one), closing each. Named by
   * {@code engram.historyName}, so the same run is recorded by each version of the workflow (before
   * version 3 of {@link MaintenanceWorkflowImpl#PAGED_CLEANUP} it read the pages with {@code
   * idleSessions}, each from the first idle session; see the commit that recorded each file).
   */
  @Test
  void session_cleanup_over_two_pages(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) throws IOException {
    MaintenanceActivities maintenance =
        mock(MaintenanceActivities.class, withSettings().withoutAnnotations());
    IdleSessionCursor b = new IdleSessionCursor(1767600000123456L, "b");
    when(maintenance.idleSessionsAfter(anyLong(), any(), eq(2), any()))
        .thenReturn(new IdleSessionPage(List.of("a", "b"), b))
        .thenReturn(
            new IdleSessionPage(List.of("c"), new IdleSessionCursor(1767600000123457L, "c")));
    startClosingEverySession(env, worker, maintenance);

    client
        .newWorkflowStub(
            MaintenanceWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId("engram-session-cleanup-recorded")
                .setTaskQueue(worker.getTaskQueue())
                .build())
        .run(new MaintenanceRequest(MaintenanceJob.SESSION_CLEANUP, null, 2));

    write(
        client,
        "engram-session-cleanup-recorded",
        System.getProperty("engram.historyName", "session-cleanup-paged"));
  }

  /**
   * A session cleanup that reads {@link MaintenanceWorkflowImpl#PAGES_PER_RUN} full pages of idle
   * sessions, continues as new after the last session read, and ends at a short page in the run it
   * continued into. Both runs are recorded: the first ends by continuing as new.
   */
  @Test
  void session_cleanup_continued_as_new(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) throws IOException {
    MaintenanceActivities maintenance =
        mock(MaintenanceActivities.class, withSettings().withoutAnnotations());
    var pages =
        when(maintenance.idleSessionsAfter(anyLong(), any(), eq(2), any()))
            .thenReturn(page(1767600000000001L, "s1", "s2"));
    for (int p = 2; p <= MaintenanceWorkflowImpl.PAGES_PER_RUN; p++) {
      pages = pages.thenReturn(page(1767600000000000L + p, "s" + (2 * p - 1), "s" + 2 * p));
    }
    pages.thenReturn(page(1767600000000099L, "s9"));
    startClosingEverySession(env, worker, maintenance);

    String workflowId = "engram-session-cleanup-continued";
    MaintenanceWorkflow workflow =
        client.newWorkflowStub(
            MaintenanceWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(workflowId)
                .setTaskQueue(worker.getTaskQueue())
                .build());
    String firstRun =
        WorkflowClient.start(
                workflow::run, new MaintenanceRequest(MaintenanceJob.SESSION_CLEANUP, null, 2))
            .getRunId();
    WorkflowStub.fromTyped(workflow).getResult(MaintenanceResult.class);

    Files.writeString(
        DIR.resolve("session-cleanup-continued-as-new.json"),
        client.fetchHistory(workflowId, firstRun).toJson(true) + "\n");
    write(client, workflowId, "session-cleanup-continued");
  }

  /**
   * Starts the workers of a session cleanup whose idle sessions {@code maintenance} lists: none has
   * turns left to distil, and each closes.
   */
  private static void startClosingEverySession(
      TestWorkflowEnvironment env, Worker worker, MaintenanceActivities maintenance) {
    DistillationActivities distillation =
        mock(DistillationActivities.class, withSettings().withoutAnnotations());
    when(distillation.pendingTurns(any(), org.mockito.ArgumentMatchers.anyInt()))
        .thenReturn(List.of());
    when(maintenance.closeSession(any(), anyLong())).thenReturn(new SessionClosed(true, 1));
    worker.registerActivitiesImplementations(distillation, maintenance);
    env.newWorker(TaskQueues.LLM).registerActivitiesImplementations(distillation);
    env.start();
  }

  private static IdleSessionPage page(long lastActiveMicros, String... sessionIds) {
    return new IdleSessionPage(
        List.of(sessionIds),
        new IdleSessionCursor(lastActiveMicros, sessionIds[sessionIds.length - 1]));
  }

  static void write(WorkflowClient client, String workflowId, String name) throws IOException {
    Files.createDirectories(DIR);
    Files.writeString(
        DIR.resolve(name + ".json"), client.fetchHistory(workflowId).toJson(true) + "\n");
  }
}
