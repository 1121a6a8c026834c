package io.engram.api.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.core.config.AccessSettings;
import io.engram.core.config.AccessSettings.RateLimitScope;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Token buckets per key in one replica's memory, on a clock the test moves. */
class RateLimitsTest {
  private final MovableClock clock = new MovableClock(5_000_000_000L, false);

  private RateLimits limits(int perSecond, int burst) {
    return RateLimits.inReplica(
        new AccessSettings(
            false, perSecond, burst, RateLimitScope.REPLICA, 1024, AccessSettings.Metrics.PUBLIC),
        clock);
  }

  private void advance(Duration d) {
    clock.advance(d);
  }

  @Test
  void a_burst_then_the_rate_and_retry_after_is_the_wait_rounded_up_to_whole_seconds() {
    RateLimits limits = limits(2, 3);
    for (int i = 0; i < 3; i++) {
      assertThat(limits.consume(7).allowed()).isTrue();
    }
    RateLimits.Verdict refused = limits.consume(7);
    assertThat(refused.allowed()).isFalse();
    // A token comes back in 0.5 s: the header says 1, never 0.
    assertThat(refused.retryAfterSeconds()).isEqualTo(1);

    advance(Duration.ofMillis(499));
    assertThat(limits.consume(7).allowed()).isFalse();
    advance(Duration.ofMillis(1));
    assertThat(limits.consume(7).allowed()).isTrue();
    assertThat(limits.consume(7).allowed()).isFalse();
  }

  @Test
  void a_slow_rate_says_how_many_seconds_to_wait_and_keys_do_not_share_a_bucket() {
    RateLimits limits = limits(1, 1);
    assertThat(limits.consume(1).allowed()).isTrue();
    assertThat(limits.consume(1).retryAfterSeconds()).isEqualTo(1);
    assertThat(limits.consume(2).allowed()).isTrue();

    advance(Duration.ofMillis(200));
    assertThat(limits.consume(1).retryAfterSeconds()).isEqualTo(1);
  }

  @Test
  void a_revoked_keys_bucket_is_forgotten_and_a_zero_rate_limits_nothing() {
    RateLimits limits = limits(1, 1);
    limits.consume(3);
    limits.forget(3);
    assertThat(limits.consume(3).allowed()).isTrue();

    RateLimits none = limits(0, 1);
    for (int i = 0; i < 1000; i++) {
      assertThat(none.consume(9).allowed()).isTrue();
    }
  }
}
