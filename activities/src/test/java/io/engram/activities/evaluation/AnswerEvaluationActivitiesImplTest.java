package io.engram.activities.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engram.core.evaluation.AnswerEvaluation;
import io.engram.core.evaluation.EvaluationAnswers;
import io.engram.workflows.common.FailureTypes;
import io.temporal.failure.ApplicationFailure;
import org.junit.jupiter.api.Test;

class AnswerEvaluationActivitiesImplTest {

  /** No LLM, and no database either: nothing may be touched before the LLM check. */
  private final AnswerEvaluationActivitiesImpl withoutLlm =
      new AnswerEvaluationActivitiesImpl(new AnswerEvaluation(null, null, null, null));

  @Test
  void a_worker_without_an_llm_fails_every_answer_step_for_good_and_says_what_to_set() {
    for (Runnable step :
        new Runnable[] {
          withoutLlm::answerModel,
          () -> withoutLlm.sampleAnswers(7, 3),
          () -> withoutLlm.answerBatch(7, 0, 3)
        }) {
      assertThatThrownBy(step::run)
          .isInstanceOfSatisfying(
              ApplicationFailure.class,
              f -> {
                assertThat(f.getType()).isEqualTo(FailureTypes.LLM_NOT_CONFIGURED);
                assertThat(f.isNonRetryable()).isTrue();
                assertThat(f.getOriginalMessage()).contains("ENGRAM_LLM_PROVIDER", "--with-llm");
              });
    }
  }

  @Test
  void the_run_summary_carries_the_advisory_figures_when_there_are_any() {
    EvaluationAnswers.Summary stored =
        new EvaluationAnswers.Summary("openai:gemma-3-270m", 3, 2, 1, 0.75, null, 0.5, 1200.0);

    assertThat(EvaluationActivitiesImpl.answers(stored))
        .isEqualTo(
            new io.engram.workflows.evaluation.AnswerSummary(
                "openai:gemma-3-270m", 3, 2, 1, 0.75, null, 0.5, 1200.0));
    assertThat(EvaluationActivitiesImpl.answers(null)).isNull();
  }
}
