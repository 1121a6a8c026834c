package io.engram.core.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.core.rollout.RolloutObservations.ArmStats;
import io.engram.testing.RolloutPlans;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RolloutJudgeTest {
  static final RolloutPlan PLAN = RolloutPlans.TYPICAL;

  private static final SequentialTest.Result UNDECIDED = new SequentialTest(0.05).test(10, 9);

  private static final ArmStats NO_INTERLEAVING = ArmStats.none(Arm.INTERLEAVED);

  private static ArmStats arm(String arm, long queries, long errors, long empty, Double p95) {
    return new ArmStats(arm, queries, errors, empty, p95, null, null);
  }

  private static ArmStats shadow(
      long queries, long errors, double candidateP95, double championP95) {
    return new ArmStats(Arm.SHADOW, queries, errors, 0, candidateP95, championP95, 0.8);
  }

  @Test
  void shadow_waits_for_its_minimum_then_is_ready() {
    assertThat(RolloutJudge.shadow(shadow(40, 0, 20, 18), PLAN).kind())
        .isEqualTo(RolloutJudge.Kind.WAIT);
    RolloutJudge.Verdict ready = RolloutJudge.shadow(shadow(120, 0, 20, 18), PLAN);
    assertThat(ready.kind()).isEqualTo(RolloutJudge.Kind.READY);
    assertThat(ready.reason()).contains("120 shadow comparisons", "overlap@10 0.80");
  }

  @Test
  void shadow_fails_on_candidate_errors_beyond_the_rate() {
    RolloutJudge.Verdict v = RolloutJudge.shadow(shadow(50, 3, 20, 18), PLAN);
    assertThat(v.kind()).isEqualTo(RolloutJudge.Kind.FAIL);
    assertThat(v.reason()).startsWith("shadow errors: 3 of 50");
    // Two errors are not yet evidence; nor are three in a thousand at a 1 % allowance.
    assertThat(RolloutJudge.shadow(shadow(50, 2, 20, 18), PLAN).kind())
        .isEqualTo(RolloutJudge.Kind.WAIT);
    assertThat(RolloutJudge.shadow(shadow(1000, 3, 20, 18), PLAN).kind())
        .isEqualTo(RolloutJudge.Kind.READY);
  }

  @Test
  void shadow_fails_on_latency_beyond_the_budget_once_it_has_a_sample() {
    // Budget: 1.5 × 20 + 25 = 55 ms.
    RolloutJudge.Verdict slow = RolloutJudge.shadow(shadow(30, 0, 260, 20), PLAN);
    assertThat(slow.kind()).isEqualTo(RolloutJudge.Kind.FAIL);
    assertThat(slow.reason()).contains("candidate p95 260.0 ms over its budget 55.0 ms");
    assertThat(RolloutJudge.shadow(shadow(30, 0, 54, 20), PLAN).kind())
        .isEqualTo(RolloutJudge.Kind.WAIT);
    assertThat(RolloutJudge.shadow(shadow(10, 0, 260, 20), PLAN).kind())
        .isEqualTo(RolloutJudge.Kind.WAIT);
  }

  @Test
  void a_canary_step_fails_on_latency_errors_or_empty_results() {
    ArmStats champion = arm(Arm.CHAMPION, 500, 0, 5, 20.0);
    assertThat(
            RolloutJudge.canary(
                    champion, arm(Arm.CANDIDATE, 60, 0, 0, 90.0), NO_INTERLEAVING, UNDECIDED, PLAN)
                .reason())
        .startsWith("latency:");
    assertThat(
            RolloutJudge.canary(
                    champion, arm(Arm.CANDIDATE, 60, 4, 0, 20.0), NO_INTERLEAVING, UNDECIDED, PLAN)
                .reason())
        .startsWith("candidate errors: 4 of 60");
    RolloutJudge.Verdict empty =
        RolloutJudge.canary(
            champion, arm(Arm.CANDIDATE, 60, 0, 6, 20.0), NO_INTERLEAVING, UNDECIDED, PLAN);
    assertThat(empty.kind()).isEqualTo(RolloutJudge.Kind.FAIL);
    assertThat(empty.reason()).startsWith("empty results: 10.0% of the candidate's answers");
  }

  @Test
  void the_test_rolls_back_a_worse_candidate_at_once_and_promotes_a_better_one_after_the_minimum() {
    ArmStats champion = arm(Arm.CHAMPION, 500, 0, 0, 20.0);
    SequentialTest test = new SequentialTest(0.05);

    assertThat(
            RolloutJudge.canary(
                    champion,
                    arm(Arm.CANDIDATE, 10, 0, 0, 20.0),
                    NO_INTERLEAVING,
                    test.test(2, 30),
                    PLAN)
                .kind())
        .isEqualTo(RolloutJudge.Kind.WORSE);
    assertThat(
            RolloutJudge.canary(
                    champion,
                    arm(Arm.CANDIDATE, 10, 0, 0, 20.0),
                    NO_INTERLEAVING,
                    test.test(30, 2),
                    PLAN)
                .kind())
        .isEqualTo(RolloutJudge.Kind.WAIT);
    RolloutJudge.Verdict better =
        RolloutJudge.canary(
            champion, arm(Arm.CANDIDATE, 60, 0, 0, 20.0), NO_INTERLEAVING, test.test(30, 2), PLAN);
    assertThat(better.kind()).isEqualTo(RolloutJudge.Kind.BETTER);
    assertThat(better.reason()).contains("30 wins, 2 losses");
  }

  @Test
  void at_a_budget_end_errors_beyond_the_rate_fail_even_below_the_minimum_count() {
    ArmStats champion = arm(Arm.CHAMPION, 500, 0, 0, 20.0);
    ArmStats broken = arm(Arm.CANDIDATE, 2, 2, 0, null);
    // Too few for a check: the step only waits for traffic.
    assertThat(RolloutJudge.canary(champion, broken, NO_INTERLEAVING, UNDECIDED, PLAN).kind())
        .isEqualTo(RolloutJudge.Kind.WAIT);

    RolloutJudge.Verdict atEnd =
        RolloutJudge.atBudgetEnd(
            Map.of(Arm.CHAMPION, champion, Arm.CANDIDATE, broken, Arm.SHADOW, shadow(0, 0, 0, 0)),
            PLAN);

    assertThat(atEnd.kind()).isEqualTo(RolloutJudge.Kind.FAIL);
    assertThat(atEnd.reason())
        .isEqualTo(
            "candidate errors: 2 of 2 queries failed (100.0%, at most 1.0% allowed) over the"
                + " whole rollout");
    // Shadow comparisons count as the candidate's queries too.
    assertThat(
            RolloutJudge.atBudgetEnd(
                    Map.of(
                        Arm.SHADOW,
                        shadow(40, 2, 20, 18),
                        Arm.CANDIDATE,
                        arm(Arm.CANDIDATE, 10, 0, 0, 20.0)),
                    PLAN)
                .reason())
        .startsWith("candidate errors: 2 of 50 queries failed");
  }

  @Test
  void at_a_budget_end_errors_within_the_rate_or_none_keep_the_champion() {
    assertThat(
            RolloutJudge.atBudgetEnd(
                Map.of(
                    Arm.SHADOW,
                    shadow(150, 1, 20, 18),
                    Arm.CANDIDATE,
                    arm(Arm.CANDIDATE, 50, 1, 0, 20.0)),
                PLAN))
        .isNull();
    assertThat(RolloutJudge.atBudgetEnd(Map.of(), PLAN)).isNull();
  }

  @Test
  void a_canary_step_fails_on_the_candidates_errors_in_the_interleaved_arm() {
    ArmStats champion = arm(Arm.CHAMPION, 500, 0, 0, 20.0);
    ArmStats alone = arm(Arm.CANDIDATE, 60, 0, 0, 20.0);
    ArmStats interleaved = arm(Arm.INTERLEAVED, 120, 6, 0, 45.0);

    RolloutJudge.Verdict verdict =
        RolloutJudge.canary(champion, alone, interleaved, UNDECIDED, PLAN);

    assertThat(verdict.kind()).isEqualTo(RolloutJudge.Kind.FAIL);
    assertThat(verdict.reason())
        .startsWith("interleaved candidate errors: 6 of 120 queries failed");
    // And at a budget's end its failures count with the rest of the candidate's.
    assertThat(
            RolloutJudge.atBudgetEnd(
                    Map.of(Arm.INTERLEAVED, arm(Arm.INTERLEAVED, 2, 2, 0, null)), PLAN)
                .reason())
        .startsWith("candidate errors: 2 of 2 queries failed");
  }

  @Test
  void a_healthy_step_with_its_minimum_is_ready() {
    assertThat(
            RolloutJudge.canary(
                    arm(Arm.CHAMPION, 500, 0, 0, 20.0),
                    arm(Arm.CANDIDATE, 60, 0, 0, 22.0),
                    NO_INTERLEAVING,
                    UNDECIDED,
                    PLAN)
                .kind())
        .isEqualTo(RolloutJudge.Kind.READY);
  }
}
