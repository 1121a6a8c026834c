package io.engram.activities.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class HeartbeatTickerTest {

  /** A timer the test ticks by hand, so no test waits for a period to pass. */
  private static final class ManualTimer implements HeartbeatTicker.Timer {
    Runnable task;
    Duration period;
    boolean stopped;

    @Override
    public Runnable start(Runnable task, Duration period) {
      this.task = task;
      this.period = period;
      return () -> stopped = true;
    }

    void tick(int times) {
      for (int i = 0; i < times; i++) {
        task.run();
      }
    }
  }

  @Test
  void beats_with_the_last_progress_while_the_caller_is_busy_and_stops_when_closed() {
    List<Object> beats = new ArrayList<>();
    ManualTimer timer = new ManualTimer();
    try (HeartbeatTicker ticker = new HeartbeatTicker(beats::add, Duration.ofSeconds(10), timer)) {
      assertThat(timer.period).isEqualTo(Duration.ofSeconds(10));
      ticker.progress(3);
      // A slow LLM call: no progress for a while, yet the timer keeps beating.
      timer.tick(4);
      assertThat(beats).containsExactly(3, 3, 3, 3, 3);
      ticker.progress(4);
      timer.tick(1);
      assertThat(beats).endsWith(4, 4);
      assertThat(timer.stopped).isFalse();
    }
    assertThat(timer.stopped).isTrue();
  }

  @Test
  void a_failing_timer_beat_does_not_stop_the_timer_and_progress_still_throws() {
    List<Object> beats = new ArrayList<>();
    ManualTimer timer = new ManualTimer();
    try (HeartbeatTicker ticker =
        new HeartbeatTicker(
            detail -> {
              beats.add(detail);
              throw new IllegalStateException("activity cancelled");
            },
            Duration.ofSeconds(10),
            timer)) {
      timer.tick(3);
      assertThat(beats).hasSize(3);
      assertThatThrownBy(() -> ticker.progress(1)).hasMessage("activity cancelled");
    }
  }

  @Test
  void the_daemon_timer_repeats_its_task_on_a_daemon_thread_until_stopped() {
    AtomicInteger runs = new AtomicInteger();
    List<Thread> threads = new CopyOnWriteArrayList<>();
    AtomicReference<Thread> timerThread = new AtomicReference<>();
    Runnable stop =
        HeartbeatTicker.daemonTimer(
            () -> {
              timerThread.set(Thread.currentThread());
              threads.add(Thread.currentThread());
              runs.incrementAndGet();
            },
            Duration.ofMillis(10));

    await().untilAsserted(() -> assertThat(runs).hasValueGreaterThanOrEqualTo(3));
    stop.run();

    assertThat(threads).allSatisfy(t -> assertThat(t.isDaemon()).isTrue());
    assertThat(threads).allSatisfy(t -> assertThat(t).isSameAs(timerThread.get()));
    // Once its thread has ended, the timer cannot run the task again.
    await().until(() -> !timerThread.get().isAlive());
  }
}
