package io.engram.workflows.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.temporal.activity.ActivityOptions;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.NonDeterministicException;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Replays recorded histories of {@link EvaluationWorkflowImpl}, so a change to the commands it
 * issues fails here instead of wedging runs in flight during a deploy. The happy path was recorded
 * from a real run in {@code EvaluationIT}; the other two from the test environment with scripted
 * activities, to cover several batches in flight and the failure path. They were recorded before
 * the answer tier and carry no version marker, so they also prove that runs started before it
 * replay on the versioned workflow. The answer-tier histories were recorded by {@link
 * RecordEvaluationHistoriesTest}.
 */
@Timeout(60)
class EvaluationWorkflowReplayTest {

  private static final String PARALLEL = "histories/evaluation-parallel-batches-and-retry.json";

  /** Guards the plain path of a real run: prepare, one batch, complete. */
  @Test
  void replays_a_real_run() throws Exception {
    WorkflowReplayer.replayWorkflowExecutionFromResource(
        "histories/evaluation-happy-path.json", EvaluationWorkflowImpl.class);
  }

  /** Guards the batch loop: four batches, two in flight, one retried after a transient error. */
  @Test
  void replays_parallel_batches_with_a_retried_one() throws Exception {
    WorkflowReplayer.replayWorkflowExecutionFromResource(PARALLEL, EvaluationWorkflowImpl.class);
  }

  /** Guards the failure path: a batch fails for good and the run is marked failed. */
  @Test
  void replays_a_run_whose_batch_failed() throws Exception {
    WorkflowReplayer.replayWorkflowExecutionFromResource(
        "histories/evaluation-failed-batch.json", EvaluationWorkflowImpl.class);
  }

  /** Guards the answer tier: the LLM asked first, retrieval, the sample, two answer batches. */
  @Test
  void replays_a_run_with_answers() throws Exception {
    WorkflowReplayer.replayWorkflowExecutionFromResource(
        "histories/evaluation-answers.json", EvaluationWorkflowImpl.class);
  }

  /** Guards the fast failure of a run that asks for answers of a worker without an LLM. */
  @Test
  void replays_a_run_with_answers_failed_for_want_of_an_llm() throws Exception {
    WorkflowReplayer.replayWorkflowExecutionFromResource(
        "histories/evaluation-answers-without-llm.json", EvaluationWorkflowImpl.class);
  }

  /** Proves the replay tests above can fail: a changed workflow must not replay the history. */
  @Test
  void replay_detects_a_nondeterministic_change() {
    Exception failure =
        assertThrows(
            Exception.class,
            () ->
                WorkflowReplayer.replayWorkflowExecutionFromResource(
                    PARALLEL, OneBatchAtATimeEvaluationWorkflow.class));

    assertThat(failure).hasMessageContaining(NonDeterministicException.class.getSimpleName());
  }

  /** The workflow after an innocent-looking edit: batches of 100, one at a time, no summary. */
  public static class OneBatchAtATimeEvaluationWorkflow implements EvaluationWorkflow {
    private final EvaluationActivities activities =
        Workflow.newActivityStub(
            EvaluationActivities.class,
            ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofMinutes(30)).build());

    @Override
    public EvaluationSummary evaluate(EvaluationRequest request) {
      EvaluationPlan plan = activities.prepare(request);
      for (int from = 0; from < plan.queries(); from += 100) {
        activities.evaluateBatch(plan.evalRunId(), from, Math.min(plan.queries(), from + 100));
      }
      return activities.complete(plan.evalRunId());
    }

    @Override
    public EvaluationProgress progress() {
      return new EvaluationProgress("done", 0, null, 0, 0, 0, 0, 0, 0, null, null, 0, 0, 0);
    }
  }
}
