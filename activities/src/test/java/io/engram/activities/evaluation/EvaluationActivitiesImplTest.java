package io.engram.activities.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.core.evaluation.EvaluationService.InvalidEvaluationException.Reason;
import io.engram.workflows.common.FailureTypes;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class EvaluationActivitiesImplTest {

  @Test
  void every_kind_of_bad_input_has_its_own_non_retryable_type() {
    assertThat(EvaluationActivitiesImpl.failureType(Reason.UNKNOWN_COLLECTION))
        .isEqualTo(FailureTypes.UNKNOWN_COLLECTION);
    assertThat(EvaluationActivitiesImpl.failureType(Reason.UNKNOWN_MODEL_VERSION))
        .isEqualTo(FailureTypes.UNKNOWN_MODEL_VERSION);
    assertThat(EvaluationActivitiesImpl.failureType(Reason.INVALID_DATASET))
        .isEqualTo(FailureTypes.INVALID_DATASET);
    assertThat(Arrays.stream(Reason.values()).map(EvaluationActivitiesImpl::failureType))
        .doesNotHaveDuplicates();
  }
}
