package io.engram.activities.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.engram.core.registry.RegistryConflictException;
import io.engram.core.rollout.Arm;
import io.engram.core.rollout.Rollout;
import io.engram.core.rollout.RolloutCheck;
import io.engram.core.rollout.RolloutConflictException;
import io.engram.core.rollout.RolloutJudge;
import io.engram.core.rollout.RolloutObservations.ArmStats;
import io.engram.core.rollout.RolloutObservations.Comparisons;
import io.engram.core.rollout.RolloutPlan;
import io.engram.core.rollout.RolloutService;
import io.engram.core.rollout.SequentialTest;
import io.engram.testing.RolloutPlans;
import io.engram.workflows.common.FailureTypes;
import io.engram.workflows.rollout.RolloutActivities;
import io.engram.workflows.rollout.RolloutVerdict;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How the rollout's steps report what core refuses, and what a check found. */
class RolloutActivitiesImplTest {
  private static final RolloutPlan PLAN = RolloutPlans.TYPICAL;

  private final RolloutService service = mock(RolloutService.class);
  private TestActivityEnvironment env;
  private RolloutActivities activities;

  @BeforeEach
  void start() {
    env = TestActivityEnvironment.newInstance();
    env.registerActivitiesImplementations(new RolloutActivitiesImpl(service));
    // One attempt: what the test sees is what the workflow's retry policy is given.
    activities =
        env.newActivityStub(
            RolloutActivities.class,
            ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofMinutes(1))
                .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
                .build());
  }

  @AfterEach
  void stop() {
    env.close();
  }

  @Test
  void a_check_while_paused_answers_why_the_ground_moved_or_null() {
    when(service.checkIntegrity(anyLong(), any()))
        .thenReturn(java.util.Optional.empty())
        .thenReturn(
            java.util.Optional.of("the champion alias was moved by hand to v3 during the rollout"));

    assertThat(activities.checkIntegrity(7)).isNull();
    assertThat(activities.checkIntegrity(7))
        .isEqualTo("the champion alias was moved by hand to v3 during the rollout");
  }

  @Test
  void a_promotion_the_registry_refuses_fails_for_good_with_the_reason() {
    when(service.promote(anyLong(), any(), any(), any()))
        .thenThrow(
            new RegistryConflictException(
                RegistryConflictException.Reason.CONFLICT,
                "zoo/v2 is archived; only a registered version can carry an alias"));

    assertRefused(
        () -> activities.promote(7, "alice", "approved"),
        "zoo/v2 is archived; only a registered version can carry an alias");
  }

  @Test
  void a_promotion_of_a_rollout_that_ended_meanwhile_fails_for_good() {
    when(service.promote(anyLong(), any(), any(), any()))
        .thenThrow(new RolloutConflictException("rollout rollout-zoo-v2 has ended: kept"));

    assertRefused(
        () -> activities.promote(7, "rollout", "won"), "rollout rollout-zoo-v2 has ended: kept");
  }

  @Test
  void a_check_says_why_the_candidate_must_roll_back_should_its_budget_end_now() {
    Rollout rollout = mock(Rollout.class);
    when(rollout.plan()).thenReturn(PLAN);
    when(service.require(7)).thenReturn(rollout);
    Map<String, ArmStats> total =
        Map.of(
            Arm.CHAMPION, new ArmStats(Arm.CHAMPION, 80, 0, 0, 20.0, null, null),
            Arm.CANDIDATE, new ArmStats(Arm.CANDIDATE, 2, 2, 0, null, null, null));
    when(service.check(7))
        .thenReturn(
            new RolloutCheck(
                RolloutJudge.Kind.WAIT,
                "2 of 50 candidate queries in this step",
                "canary",
                1,
                total,
                total,
                new Comparisons(0, 0, 0, 0),
                new SequentialTest(0.05).test(0, 0),
                Map.of(),
                0.02));

    RolloutVerdict v = activities.check(7);

    assertThat(v.verdict()).isEqualTo(RolloutVerdict.WAIT);
    assertThat(v.failsAtBudgetEnd())
        .isEqualTo(
            "candidate errors: 2 of 2 queries failed (100.0%, at most 1.0% allowed) over the"
                + " whole rollout");
  }

  private static void assertRefused(Runnable call, String message) {
    assertThatThrownBy(call::run)
        .isInstanceOf(ActivityFailure.class)
        .cause()
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            f -> {
              assertThat(f.getType()).isEqualTo(FailureTypes.ROLLOUT_MOVE_REFUSED);
              assertThat(f.isNonRetryable()).isTrue();
              assertThat(f.getOriginalMessage()).isEqualTo(message);
            });
  }
}
