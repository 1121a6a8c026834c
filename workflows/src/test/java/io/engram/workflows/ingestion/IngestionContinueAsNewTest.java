package io.engram.workflows.ingestion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoMoreInteractions;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A run hands out a bounded number of batches and then continues as new, so a large source never
 * grows one history to Temporal's limit: the chain processes every item exactly once under the
 * first run's key, and the last run returns the counts of all of them.
 */
@Timeout(60)
class IngestionContinueAsNewTest {
  private static final String QUEUE = "ingest-continue-as-new";
  private static final IngestionRequest REQUEST =
      new IngestionRequest("default", "/srv/docs", "/srv/docs", null, null, null);

  private TestWorkflowEnvironment env;
  private Worker worker;

  @BeforeEach
  void start() {
    env = TestWorkflowEnvironment.newInstance();
    worker = env.newWorker(QUEUE);
    // Two batches per run: 150 pending items (5 batches of 32) take three runs.
    worker.registerWorkflowImplementationFactory(
        IngestionWorkflow.class, () -> new IngestionWorkflowImpl(2));
  }

  @AfterEach
  void stop() {
    env.close();
  }

  @Test
  void a_run_past_its_batch_budget_continues_as_new_and_the_chain_counts_everything()
      throws Exception {
    IngestionActivities activities =
        mock(IngestionActivities.class, withSettings().withoutAnnotations());
    when(activities.discover(anyString(), any()))
        .thenReturn(new DiscoveryResult(7, 200, 50, 150, 1, List.of("gone.md")));
    when(activities.validate(anyString())).thenReturn(IngestionWorkflowTest.NOTHING_WRONG);
    when(activities.processBatch(anyString(), anyInt(), anyInt()))
        .thenAnswer(
            invocation -> {
              int from = invocation.getArgument(1);
              int to = invocation.getArgument(2);
              // The first batch of each run has one failed document, to see errors carried on.
              boolean first = from % 64 == 0;
              return new BatchResult(
                  to - from - (first ? 1 : 0),
                  first ? 1 : 0,
                  (to - from) * 2,
                  first
                      ? List.of(new DocumentError("docs/" + from + ".pdf", "corrupt"))
                      : List.of());
            });
    worker.registerActivitiesImplementations(activities);
    env.start();

    WorkflowClient client = env.getWorkflowClient();
    IngestionWorkflow workflow =
        client.newWorkflowStub(
            IngestionWorkflow.class,
            WorkflowOptions.newBuilder().setTaskQueue(QUEUE).setWorkflowId("ingest-big").build());
    WorkflowExecution first = WorkflowClient.start(workflow::ingest, REQUEST);
    IngestionProgress result =
        client.newUntypedWorkflowStub("ingest-big").getResult(IngestionProgress.class);

    String runKey = first.getRunId();
    verify(activities).discover(runKey, REQUEST);
    for (int from = 0; from < 150; from += 32) {
      verify(activities).processBatch(runKey, from, Math.min(150, from + 32));
    }
    // Only the last run of the chain validates, over the items of the whole chain (keyed by the
    // first run's id), and asks which other indexes follow.
    verify(activities).validate(runKey);
    verify(activities).following(REQUEST.collection(), 7);
    verifyNoMoreInteractions(activities);
    assertThat(result.phase()).isEqualTo("done");
    assertThat(result.total()).isEqualTo(200);
    assertThat(result.skipped()).isEqualTo(50);
    assertThat(result.done()).isEqualTo(147);
    assertThat(result.failed()).isEqualTo(3);
    assertThat(result.chunks()).isEqualTo(300);
    assertThat(result.errors())
        .extracting(DocumentError::source)
        .containsExactlyInAnyOrder("docs/0.pdf", "docs/64.pdf", "docs/128.pdf");
    assertThat(result.tombstoned()).isEqualTo(1);
    assertThat(result.tombstonedSample()).containsExactly("gone.md");
    assertThat(result.indexVersionId()).isEqualTo(7);

    // The first run continued as new after its two batches, carrying where it stopped.
    WorkflowExecutionHistory firstRun = client.fetchHistory("ingest-big", runKey);
    if (Boolean.getBoolean("engram.recordHistories")) {
      // Replayed by IngestionWorkflowReplayTest: record it again only after a versioned change.
      Files.writeString(
          Path.of("src/test/resources/" + IngestionWorkflowReplayTest.CONTINUED_AS_NEW),
          firstRun.toJson(true) + "\n");
    }
    List<HistoryEvent> history = firstRun.getHistory().getEventsList();
    HistoryEvent last = history.get(history.size() - 1);
    assertThat(last.getEventType())
        .isEqualTo(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW);
    assertThat(client.newUntypedWorkflowStub("ingest-big").describe().getExecution().getRunId())
        .isNotEqualTo(runKey);
  }
}
