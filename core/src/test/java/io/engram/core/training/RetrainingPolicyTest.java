package io.engram.core.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.core.training.RetrainingPolicy.Decision;
import io.engram.core.training.RetrainingPolicy.Facts;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RetrainingPolicyTest {
  private static final Instant NOW = Instant.parse("2026-12-05T12:00:00Z");
  private static final Instant LAST_WEEK = NOW.minus(Duration.ofDays(8));
  private static final TrainingSettings.Triggers DEV = new TrainingSettings.Triggers(null, null, 0);
  private static final TrainingSettings.Triggers PROD =
      new TrainingSettings.Triggers(Duration.ofDays(7), 0.05, 100);

  private static Facts facts() {
    return new Facts(false, false, LAST_WEEK, "fp", "fp", false, 0.79, null, 0);
  }

  private static Decision decide(Facts f, TrainingSettings.Triggers t) {
    return RetrainingPolicy.decide(f, t, NOW);
  }

  @Test
  void unchanged_data_and_a_young_model_need_nothing() {
    assertThat(decide(facts(), DEV)).isEqualTo(new Decision(false, "model_still_valid"));
    // Dev checks neither age nor degradation: an old model with the same data is still valid.
    assertThat(decide(facts(), DEV).retrain()).isFalse();
  }

  @Test
  void forcing_wins_over_everything() {
    Facts f = new Facts(true, false, LAST_WEEK, "fp", "fp", true, 0.79, null, 0);
    assertThat(decide(f, DEV)).isEqualTo(new Decision(true, "force"));
  }

  @Test
  void a_collection_without_a_model_trains_one() {
    Facts f = new Facts(false, false, null, null, "fp", false, null, null, 0);
    assertThat(decide(f, PROD)).isEqualTo(new Decision(true, "no_model"));
  }

  @Test
  void changed_data_retrains_unless_this_data_was_already_tried() {
    Facts changed = new Facts(false, false, NOW, "old", "new", false, 0.79, null, 0);
    assertThat(decide(changed, DEV)).isEqualTo(new Decision(true, "data_changed"));
    Facts tried = new Facts(false, false, NOW, "old", "new", true, 0.79, null, 0);
    assertThat(decide(tried, DEV)).isEqualTo(new Decision(false, "model_still_valid"));
  }

  @Test
  void an_old_model_retrains_in_profiles_that_check_age() {
    assertThat(decide(facts(), PROD)).isEqualTo(new Decision(true, "model_too_old_8_days"));
    Facts young =
        new Facts(false, false, NOW.minus(Duration.ofDays(2)), "fp", "fp", false, 0.79, null, 0);
    assertThat(decide(young, PROD).retrain()).isFalse();
  }

  @Test
  void degradation_beyond_the_threshold_retrains_even_for_data_already_tried() {
    Facts fell = new Facts(false, false, NOW, "fp", "fp", true, 0.80, 0.74, 0);
    assertThat(decide(fell, PROD)).isEqualTo(new Decision(true, "performance_degraded_8"));
    Facts wobble = new Facts(false, false, NOW, "fp", "fp", false, 0.80, 0.79, 0);
    assertThat(decide(wobble, PROD).retrain()).isFalse();
  }

  @Test
  void drift_and_new_feedback_are_reasons() {
    Facts drift = new Facts(false, true, NOW, "fp", "fp", true, 0.79, null, 0);
    assertThat(decide(drift, DEV)).isEqualTo(new Decision(true, "drift"));
    Facts feedback = new Facts(false, false, NOW, "fp", "fp", false, 0.79, null, 150);
    assertThat(decide(feedback, PROD)).isEqualTo(new Decision(true, "new_feedback_150"));
    assertThat(decide(feedback, DEV).retrain()).isFalse();
  }
}
