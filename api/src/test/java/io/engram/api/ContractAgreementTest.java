package io.engram.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.contract.Evaluations;
import io.engram.contract.Evaluations.Part;
import io.engram.contract.Evaluations.Split;
import io.engram.workflows.evaluation.EvaluationRequest;
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
}
