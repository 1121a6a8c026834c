package io.engram.activities.evaluation;

import io.engram.activities.common.HeartbeatTicker;
import io.engram.core.evaluation.AnswerEvaluation;
import io.engram.core.evaluation.EvaluationAnswers;
import io.engram.workflows.common.FailureTypes;
import io.engram.workflows.evaluation.AnswerEvaluationActivities;
import io.engram.workflows.evaluation.AnswerScores;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;

/**
 * Thin adapter from the answer-tier activities to {@link AnswerEvaluation}: a worker without an LLM
 * fails them for good with {@code LlmNotConfigured}; database errors propagate and are retried.
 */
public class AnswerEvaluationActivitiesImpl implements AnswerEvaluationActivities {
  /** Well inside the workflow's one-minute heartbeat timeout for answer batches. */
  static final Duration HEARTBEAT_EVERY = Duration.ofSeconds(10);

  static final String NO_LLM =
      "the worker has no LLM to answer with: set ENGRAM_LLM_PROVIDER, ENGRAM_LLM_BASE_URL and"
          + " ENGRAM_LLM_MODEL for the worker ('./engram up --with-llm' does) and restart it";

  private final AnswerEvaluation service;

  public AnswerEvaluationActivitiesImpl(AnswerEvaluation service) {
    this.service = service;
  }

  @Override
  public String answerModel() {
    return service.model().orElseThrow(AnswerEvaluationActivitiesImpl::noLlm);
  }

  @Override
  public int sampleAnswers(long evalRunId, int answers) {
    answerModel();
    return service.draw(evalRunId, answers);
  }

  @Override
  public AnswerScores answerBatch(long evalRunId, int fromSlot, int toSlot) {
    answerModel();
    ActivityExecutionContext ctx = Activity.getExecutionContext();
    // A retry needs no heartbeat detail to resume: answered queries are skipped by their status.
    try (HeartbeatTicker ticker = new HeartbeatTicker(ctx::heartbeat, HEARTBEAT_EVERY)) {
      EvaluationAnswers.Sums sums =
          service.answer(evalRunId, fromSlot, toSlot, slot -> ticker.progress(slot));
      return new AnswerScores(sums.done(), sums.generated());
    }
  }

  static ApplicationFailure noLlm() {
    return ApplicationFailure.newNonRetryableFailure(NO_LLM, FailureTypes.LLM_NOT_CONFIGURED);
  }
}
