package io.engram.activities.common;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Heartbeats at a fixed interval from a timer thread while an activity waits on something slower
 * than its heartbeat timeout (an LLM call may take minutes with retries), repeating the last
 * progress detail. A dead worker still stops heartbeating and is noticed; a slow call is not
 * mistaken for one. Progress reported through {@link #progress} also heartbeats on the activity's
 * thread, where a cancellation surfaces.
 */
public final class HeartbeatTicker implements AutoCloseable {
  private final Consumer<Object> heartbeat;
  private final AtomicReference<Object> last = new AtomicReference<>();
  private final Runnable stop;

  /** Runs a task at a fixed rate until stopped; tests pass one they tick by hand. */
  @FunctionalInterface
  interface Timer {
    /** Starts running {@code task} every {@code period}; the returned action stops it. */
    Runnable start(Runnable task, Duration period);
  }

  public HeartbeatTicker(Consumer<Object> heartbeat, Duration every) {
    this(heartbeat, every, HeartbeatTicker::daemonTimer);
  }

  HeartbeatTicker(Consumer<Object> heartbeat, Duration every, Timer timer) {
    this.heartbeat = heartbeat;
    this.stop = timer.start(this::tick, every);
  }

  /** The production timer: one daemon thread, stopped by shutting it down. */
  static Runnable daemonTimer(Runnable task, Duration period) {
    ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "engram-heartbeat");
              thread.setDaemon(true);
              return thread;
            });
    timer.scheduleAtFixedRate(task, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    return timer::shutdownNow;
  }

  /** Records progress and heartbeats with it now, on the caller's thread. */
  public void progress(Object detail) {
    last.set(detail);
    heartbeat.accept(detail);
  }

  private void tick() {
    try {
      heartbeat.accept(last.get());
    } catch (RuntimeException e) {
      // A cancelled or timed-out activity: the activity thread learns it at its next progress.
    }
  }

  @Override
  public void close() {
    stop.run();
  }
}
