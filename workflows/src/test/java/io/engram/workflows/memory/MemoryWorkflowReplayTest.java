package io.engram.workflows.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.engram.contract.Memory.PromotionOutcome;
import io.temporal.activity.ActivityOptions;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.NonDeterministicException;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Replays recorded histories of the memory workflows (see {@link RecordMemoryHistoriesTest}). A
 * distillation waits for signals for minutes and a promotion may run long: both are in flight when
 * a worker is redeployed, so a change to the commands they issue must fail here first.
 */
@Timeout(60)
class MemoryWorkflowReplayTest {

  private static final String PROMOTION = "histories/promotion-two-batches.json";

  /**
   * Guards DistillationWorkflowImpl: a signal-with-start, a distilled batch, a second signal, a
   * batch whose extraction stays malformed through its retries and is recorded as failed, then the
   * idle timeout.
   */
  @Test
  void replays_a_distillation_with_a_second_signal_and_a_failed_batch() throws Exception {
    WorkflowReplayer.replayWorkflowExecutionFromResource(
        "histories/distillation-signal-and-failed-batch.json", DistillationWorkflowImpl.class);
  }

  /**
   * Guards {@link SessionDistillation#ONLY_MALFORMED_FAILS}: extraction failing through its retries
   * for another reason than its output, recorded before the change (the batch recorded as failed)
   * and after it (a version marker, the batch left pending, the run ending).
   */
  @Test
  void replays_a_distillation_through_an_extraction_outage_before_and_after_versioning()
      throws Exception {
    WorkflowReplayer.replayWorkflowExecutionFromResource(
        "histories/distillation-extraction-outage-before-versioning.json",
        DistillationWorkflowImpl.class);
    WorkflowReplayer.replayWorkflowExecutionFromResource(
        "histories/distillation-extraction-outage.json", DistillationWorkflowImpl.class);
  }

  /**
   * Guards {@link DistillationWorkflowImpl#TURNS_AT_IDLE_TIMEOUT}: a signal in the workflow task of
   * the idle timer, recorded before the change (the run completed without its turns) and after it
   * (a version marker, the turns distilled, then the idle timeout).
   */
  @Test
  void replays_turns_signalled_at_the_idle_timeout_before_and_after_versioning() throws Exception {
    WorkflowReplayer.replayWorkflowExecutionFromResource(
        "histories/distillation-turns-at-idle-timeout-before-versioning.json",
        DistillationWorkflowImpl.class);
    WorkflowReplayer.replayWorkflowExecutionFromResource(
        "histories/distillation-turns-at-idle-timeout.json", DistillationWorkflowImpl.class);
  }

  /** Guards PromotionWorkflowImpl: a citation flush and two batches, the second one short. */
  @Test
  void replays_a_promotion_in_two_batches() throws Exception {
    WorkflowReplayer.replayWorkflowExecutionFromResource(PROMOTION, PromotionWorkflowImpl.class);
  }

  /**
   * Guards {@link MaintenanceWorkflowImpl#PAGED_CLEANUP}: the same session cleanup (idle sessions
   * "a" and "b", then "c") recorded by each version of the workflow: before paging (one page read,
   * "c" left for the next run), at version 1 (ten pages a run), at version 2 (four pages a run,
   * counts carried) and at version 3 (each page read after the last session of the page before),
   * all replayed by today's code.
   */
  @Test
  void replays_a_session_cleanup_recorded_before_paging_and_at_each_version() throws Exception {
    for (String history :
        List.of(
            "histories/session-cleanup-before-paging.json",
            "histories/session-cleanup-paged-v1.json",
            "histories/session-cleanup-paged-v2.json",
            "histories/session-cleanup-paged.json")) {
      WorkflowReplayer.replayWorkflowExecutionFromResource(history, MaintenanceWorkflowImpl.class);
    }
  }

  /**
   * Guards where a session cleanup continues as new: after {@link
   * MaintenanceWorkflowImpl#PAGES_PER_RUN} full pages, carrying the last session read; and the run
   * it continued into, which starts from that session and ends at a short page.
   */
  @Test
  void replays_a_session_cleanup_continued_as_new_and_the_run_it_continued_into() throws Exception {
    for (String history :
        List.of(
            "histories/session-cleanup-continued-as-new.json",
            "histories/session-cleanup-continued.json")) {
      WorkflowReplayer.replayWorkflowExecutionFromResource(history, MaintenanceWorkflowImpl.class);
    }
  }

  /** Proves the replay can fail: a promotion that skips the citation flush is another workflow. */
  @Test
  void replay_detects_a_promotion_that_no_longer_flushes_first() {
    Exception failure =
        assertThrows(
            Exception.class,
            () ->
                WorkflowReplayer.replayWorkflowExecutionFromResource(
                    PROMOTION, PromotionWithoutFlush.class));
    assertThat(failure).hasMessageContaining(NonDeterministicException.class.getSimpleName());
  }

  /** The promotion after an innocent-looking edit: no flush before the batches. */
  public static class PromotionWithoutFlush implements PromotionWorkflow {
    private final PromotionActivities promotion =
        Workflow.newActivityStub(
            PromotionActivities.class,
            ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofMinutes(2)).build());

    @Override
    public PromotionOutcome promote(PromotionRequest request) {
      long now = Workflow.currentTimeMillis();
      long afterId = 0;
      for (int batch = 0; ; batch++) {
        PromotionBatchResult r =
            promotion.promoteBatch(
                new PromotionBatch(
                    "k",
                    batch,
                    afterId,
                    request.minSalience(),
                    request.minCitations(),
                    request.minAge().toMillis(),
                    request.batchSize(),
                    now,
                    request.dryRun()));
        afterId = r.lastId();
        if (!r.more()) {
          return progress();
        }
      }
    }

    @Override
    public PromotionOutcome progress() {
      return new PromotionOutcome("k", false, "done", 0, 0, 0, List.of(), List.of());
    }
  }
}
