package io.engram.core.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The pure part of routing: where a conversation falls, and which arm that is at given shares. */
class RoutingTest {
  private static final SplittableRandom RANDOM = new SplittableRandom(12);

  private static UUID session() {
    return new UUID(RANDOM.nextLong(), RANDOM.nextLong());
  }

  private static Rollouts.Active canary(double candidate, double interleave) {
    return new Rollouts.Active(7, 1, 2, Phase.CANARY, 0, candidate, interleave);
  }

  @Test
  void a_conversation_falls_in_the_same_place_every_time_and_on_every_replica() {
    UUID session = UUID.fromString("3f2b8d0e-6a4c-4c1e-9f7a-2d5b1c0e8a91");
    double first = RolloutRouter.bucket(7, session);

    assertThat(RolloutRouter.bucket(7, session)).isEqualTo(first);
    // A value fixed by the algorithm, not by this JVM: a replica on another machine agrees.
    assertThat(first).isBetween(0.0, 1.0);
    assertThat(RolloutRouter.bucket(7, UUID.fromString(session.toString()))).isEqualTo(first);
  }

  @Test
  void each_rollout_draws_other_conversations() {
    int same = 0;
    for (int i = 0; i < 10_000; i++) {
      UUID s = session();
      boolean inFirst = RolloutRouter.bucket(1, s) < 0.1;
      boolean inSecond = RolloutRouter.bucket(2, s) < 0.1;
      if (inFirst && inSecond) {
        same++;
      }
    }
    // Independent draws: about 1 % in both, not the 10 % one shared hash would give.
    assertThat(same).isBetween(50, 150);
  }

  @Test
  void the_arms_get_their_shares_of_conversations() {
    Rollouts.Active step = canary(0.25, 0.1);
    Map<String, Integer> counts = new HashMap<>();
    int n = 100_000;
    for (int i = 0; i < n; i++) {
      counts.merge(RolloutRouter.arm(RolloutRouter.bucket(7, session()), step), 1, Integer::sum);
    }
    assertThat(counts.get(Arm.CANDIDATE) / (double) n).isCloseTo(0.25, within(0.01));
    assertThat(counts.get(Arm.INTERLEAVED) / (double) n).isCloseTo(0.10, within(0.01));
    assertThat(counts.get(Arm.CHAMPION) / (double) n).isCloseTo(0.65, within(0.01));
  }

  @Test
  void a_conversation_on_the_candidate_stays_there_as_the_share_grows() {
    for (int i = 0; i < 10_000; i++) {
      double bucket = RolloutRouter.bucket(7, session());
      if (RolloutRouter.arm(bucket, canary(0.05, 0.1)).equals(Arm.CANDIDATE)) {
        assertThat(RolloutRouter.arm(bucket, canary(0.25, 0.1))).isEqualTo(Arm.CANDIDATE);
        assertThat(RolloutRouter.arm(bucket, canary(0.5, 0.1))).isEqualTo(Arm.CANDIDATE);
      }
    }
  }

  @Test
  void outside_the_canary_shares_nobody_sees_the_candidate() {
    Rollouts.Active shadow = new Rollouts.Active(7, 1, 2, Phase.SHADOW, 0.2, 0, 0);
    for (int i = 0; i < 1000; i++) {
      assertThat(RolloutRouter.arm(RolloutRouter.bucket(7, session()), shadow))
          .isEqualTo(Arm.CHAMPION);
    }
  }
}
