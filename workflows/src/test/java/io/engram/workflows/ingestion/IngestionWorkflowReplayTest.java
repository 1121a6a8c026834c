package io.engram.workflows.ingestion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.temporal.activity.ActivityOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.NonDeterministicException;
import io.temporal.worker.Worker;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Replays histories recorded from real runs of {@link IngestionWorkflowImpl}. Runs already in
 * flight are replayed by the new code after a deploy, so a change to the commands the workflow
 * issues must fail here instead of wedging those runs in production.
 */
@Timeout(60)
class IngestionWorkflowReplayTest {

  private static final String HAPPY_PATH = "histories/ingestion-happy-path.json";

  /** Recorded by {@link IngestionContinueAsNewTest} with two batches per run. */
  static final String CONTINUED_AS_NEW = "histories/ingestion-continued-as-new.json";

  /**
   * Recorded by {@link IngestionWorkflowTest}: a run another index the collection serves from
   * followed.
   */
  static final String FOLLOWED = "histories/ingestion-followed-by-other-index.json";

  /**
   * Recorded by {@link IngestionWorkflowTest}: a run whose validation failed a document it had
   * stored and found a problem with the index.
   */
  static final String VALIDATED = "histories/ingestion-validated-with-incomplete-document.json";

  /** Guards the step before the last: what the run stored is validated against the index. */
  @Test
  void replays_a_run_whose_validation_failed_a_document() throws Exception {
    WorkflowReplayer.replayWorkflowExecutionFromResource(VALIDATED, IngestionWorkflowImpl.class);
  }

  /** Guards the run's last step: the other indexes the collection serves from follow it. */
  @Test
  void replays_a_run_that_another_index_followed() throws Exception {
    WorkflowReplayer.replayWorkflowExecutionFromResource(FOLLOWED, IngestionWorkflowImpl.class);
  }

  /** Guards against non-deterministic changes to IngestionWorkflowImpl on the plain path. */
  @Test
  void replays_the_recorded_happy_path() throws Exception {
    WorkflowReplayer.replayWorkflowExecutionFromResource(HAPPY_PATH, IngestionWorkflowImpl.class);
  }

  /** Guards against non-deterministic changes when a document fails and a batch is retried. */
  @Test
  void replays_a_run_with_a_failed_document_and_a_retried_batch() throws Exception {
    WorkflowReplayer.replayWorkflowExecutionFromResource(
        "histories/ingestion-failed-document-and-retried-batch.json", IngestionWorkflowImpl.class);
  }

  /** Guards the continue-as-new path: a run that handed out its batch budget and continued. */
  @Test
  void replays_a_run_that_continued_as_new() throws Exception {
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
      Worker worker = env.newWorker("replay");
      worker.registerWorkflowImplementationFactory(
          IngestionWorkflow.class, () -> new IngestionWorkflowImpl(2));
      WorkflowReplayer.replayWorkflowExecutionFromResource(CONTINUED_AS_NEW, worker);
    }
  }

  /** Proves the replay tests above can fail: a changed workflow must not replay the history. */
  @Test
  void replay_detects_a_nondeterministic_change() {
    Exception failure =
        assertThrows(
            Exception.class,
            () ->
                WorkflowReplayer.replayWorkflowExecutionFromResource(
                    HAPPY_PATH, HalvedBatchIngestionWorkflow.class));

    // The replayer reports the worker's error inside a query failure, so only the text names it.
    assertThat(failure).hasMessageContaining(NonDeterministicException.class.getSimpleName());
  }

  /**
   * The workflow as it would be after an innocent-looking edit: half the batch size, one batch at a
   * time. Against the recorded history it issues different commands than the original run did.
   */
  public static class HalvedBatchIngestionWorkflow implements IngestionWorkflow {
    private static final int BATCH_SIZE = IngestionWorkflowImpl.BATCH_SIZE / 2;

    private final IngestionActivities activities =
        Workflow.newActivityStub(
            IngestionActivities.class,
            ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofMinutes(30)).build());

    private IngestionProgress progress =
        new IngestionProgress("discovering", 0, 0, 0, 0, 0, 0, List.of(), List.of(), 0, null);

    @Override
    public IngestionProgress ingest(IngestionRequest request) {
      String runId = Workflow.getInfo().getRunId();
      DiscoveryResult found = activities.discover(runId, request);
      int done = 0;
      long chunks = 0;
      for (int from = 0; from < found.pending(); from += BATCH_SIZE) {
        BatchResult result =
            activities.processBatch(runId, from, Math.min(found.pending(), from + BATCH_SIZE));
        done += result.done();
        chunks += result.chunks();
      }
      progress =
          new IngestionProgress(
              "done",
              found.total(),
              done,
              found.skipped(),
              0,
              found.tombstoned(),
              chunks,
              List.of(),
              found.tombstonedSample(),
              found.indexVersionId(),
              null);
      return progress;
    }

    @Override
    public IngestionProgress progress() {
      return progress;
    }
  }
}
