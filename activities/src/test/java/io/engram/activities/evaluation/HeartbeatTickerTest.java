package io.engram.activities.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class HeartbeatTickerTest {

  @Test
  void beats_with_the_last_progress_while_the_caller_is_busy_and_stops_when_closed()
      throws InterruptedException {
    List<Object> beats = new CopyOnWriteArrayList<>();
    try (HeartbeatTicker ticker = new HeartbeatTicker(beats::add, Duration.ofMillis(50))) {
      ticker.progress(3);
      // A slow LLM call: no progress for a while, yet the timer keeps beating.
      Thread.sleep(400);
      assertThat(beats.size()).isGreaterThanOrEqualTo(4);
      assertThat(beats.get(beats.size() - 1)).isEqualTo(3);
      ticker.progress(4);
      Thread.sleep(150);
      assertThat(beats.get(beats.size() - 1)).isEqualTo(4);
    }
    int afterClose = beats.size();
    Thread.sleep(200);
    assertThat(beats).hasSize(afterClose);
  }

  @Test
  void a_failing_timer_beat_does_not_stop_the_timer_and_progress_still_throws()
      throws InterruptedException {
    List<Object> beats = new CopyOnWriteArrayList<>();
    try (HeartbeatTicker ticker =
        new HeartbeatTicker(
            detail -> {
              beats.add(detail);
              throw new IllegalStateException("activity cancelled");
            },
            Duration.ofMillis(50))) {
      Thread.sleep(300);
      assertThat(beats.size()).isGreaterThanOrEqualTo(3);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> ticker.progress(1))
          .hasMessage("activity cancelled");
    }
  }
}
