package io.engram.core.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engram.core.config.EngramSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RolloutPlanTest {

  @Test
  void the_profiles_plans_differ_where_production_needs_it() {
    RolloutSettings dev = EngramSettings.defaults().rollout();
    RolloutSettings prod = EngramSettings.of(Map.of("ENGRAM_PROFILE", "prod")).rollout();

    assertThat(dev.autoStart()).isFalse();
    assertThat(dev.autoPromote()).isTrue();
    assertThat(dev.plan().steps()).containsExactly(0.05, 0.25, 0.5);
    // The rollout simulator's slow candidate runs against a plain dev stack.
    assertThat(dev.faultsEnabled()).isTrue();
    assertThat(prod.autoStart()).isTrue();
    assertThat(prod.autoPromote()).isFalse();
    assertThat(prod.plan().stepBake()).isEqualTo(Duration.ofHours(1));
    assertThat(prod.faultsEnabled()).isFalse();
  }

  @Test
  void bad_steps_name_the_variable() {
    assertThatThrownBy(() -> EngramSettings.of(Map.of("ENGRAM_ROLLOUT_STEPS", "0.5,0.25")))
        .hasMessageContaining("ENGRAM_ROLLOUT_STEPS")
        .hasMessageContaining("steps must increase");
    assertThatThrownBy(() -> EngramSettings.of(Map.of("ENGRAM_ROLLOUT_STEPS", "a,b")))
        .hasMessageContaining("ENGRAM_ROLLOUT_STEPS must be increasing shares");
  }

  @Test
  void overrides_replace_only_what_they_name_and_the_result_is_validated() {
    RolloutPlan plan = EngramSettings.defaults().rollout().plan();
    RolloutPlan fast =
        plan.with(
            new RolloutPlan.Overrides(
                0.5,
                30,
                Duration.ofSeconds(10),
                List.of(0.02, 0.1),
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                Duration.ofMinutes(4),
                Duration.ofSeconds(2)));

    assertThat(fast.shadowShare()).isEqualTo(0.5);
    assertThat(fast.steps()).containsExactly(0.02, 0.1);
    assertThat(fast.stepBake()).isEqualTo(plan.stepBake());
    assertThat(RolloutPlan.fromJson(fast.toJson())).isEqualTo(fast);
    assertThatThrownBy(
            () ->
                plan.with(
                    new RolloutPlan.Overrides(
                        null,
                        null,
                        null,
                        List.of(0.95),
                        null,
                        null,
                        0.1,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null)))
        .hasMessageContaining("must not exceed 1");
  }

  @Test
  void overrides_read_from_json_named_as_a_stored_plan_rebuild_it() {
    RolloutPlan plan =
        EngramSettings.defaults()
            .rollout()
            .plan()
            .with(
                RolloutPlan.Overrides.fromJson(
                    new com.fasterxml.jackson.databind.ObjectMapper()
                        .createObjectNode()
                        .put("shadowBakeMs", 2_000)
                        .put("interleaveShare", 0.3)));
    assertThat(plan.shadowBake()).isEqualTo(Duration.ofSeconds(2));
    assertThat(plan.interleaveShare()).isEqualTo(0.3);

    RolloutPlan copy =
        EngramSettings.defaults()
            .rollout()
            .plan()
            .with(RolloutPlan.Overrides.fromJson(readTree(plan.toJson())));
    assertThat(copy).isEqualTo(plan);
    assertThat(RolloutPlan.Overrides.of(null)).isEqualTo(RolloutPlan.Overrides.NONE);
    assertThat(RolloutPlan.Overrides.of(java.util.Map.of("steps", List.of(0.1, 0.2))).steps())
        .containsExactly(0.1, 0.2);
  }

  private static com.fasterxml.jackson.databind.JsonNode readTree(String json) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
