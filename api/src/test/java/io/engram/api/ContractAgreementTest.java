package io.engram.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.contract.Evaluations;
import io.engram.contract.Evaluations.Part;
import io.engram.contract.Evaluations.Split;
import io.engram.contract.Rollouts;
import io.engram.workflows.evaluation.EvaluationRequest;
import io.engram.workflows.rollout.PlanOverrides;
import io.engram.workflows.rollout.RolloutSignal;
import io.engram.workflows.rollout.RolloutWorkflow;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The wire contract and the workflows it starts agree: the contract cannot depend on the workflows
 * (the CLI compiles against it), so the values both spell out are compared here.
 */
class ContractAgreementTest {

  @Test
  void evaluation_splits_parts_and_answer_limit_are_the_workflows() {
    assertThat(Arrays.stream(Split.values()).map(Split::wireName))
        .containsExactlyElementsOf(EvaluationRequest.SPLITS);
    assertThat(Arrays.stream(Part.values()).map(Part::wireName))
        .containsExactlyElementsOf(EvaluationRequest.PARTS);
    assertThat(Evaluations.MAX_ANSWERS).isEqualTo(EvaluationRequest.MAX_ANSWERS);
  }

  /** The API hands a plan to the workflow by its field names: both records must name them alike. */
  @Test
  void a_rollout_plan_and_the_workflow_overrides_have_the_same_fields() {
    assertThat(
            Arrays.stream(Rollouts.Plan.class.getRecordComponents())
                .map(c -> c.getName() + ":" + c.getType().getSimpleName()))
        .containsExactlyElementsOf(
            Arrays.stream(PlanOverrides.class.getRecordComponents())
                .map(c -> c.getName() + ":" + c.getType().getSimpleName())
                .toList());
  }

  @Test
  void rollout_signals_are_the_workflow_signal_methods() {
    assertThat(Rollouts.SIGNALS)
        .allSatisfy(
            s -> assertThat(RolloutWorkflow.class.getMethod(s, RolloutSignal.class)).isNotNull());
  }
}
