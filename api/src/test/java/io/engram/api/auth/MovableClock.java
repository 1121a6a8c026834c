package io.engram.api.auth;

import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The time rate-limit buckets refill by, moved by the test alone, so nothing depends on how fast
 * the machine runs. A wall clock to Bucket4j where the buckets are shared by replicas ({@code
 * cluster}, whose stored refill times one replica writes and another reads), a monotonic one where
 * they are in one process's memory.
 */
public final class MovableClock implements TimeMeter {
  private final AtomicLong nanos;
  private final boolean wallClock;

  public MovableClock(long startNanos, boolean wallClock) {
    this.nanos = new AtomicLong(startNanos);
    this.wallClock = wallClock;
  }

  public void advance(Duration d) {
    nanos.addAndGet(d.toNanos());
  }

  @Override
  public long currentTimeNanos() {
    return nanos.get();
  }

  @Override
  public boolean isWallClockBased() {
    return wallClock;
  }
}
