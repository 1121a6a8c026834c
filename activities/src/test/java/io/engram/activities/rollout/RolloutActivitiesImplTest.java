package io.engram.activities.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.engram.core.registry.RegistryConflictException;
import io.engram.core.rollout.RolloutConflictException;
import io.engram.core.rollout.RolloutService;
import io.engram.workflows.common.FailureTypes;
import io.engram.workflows.rollout.RolloutActivities;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How the rollout's steps report what core refuses. */
class RolloutActivitiesImplTest {
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
