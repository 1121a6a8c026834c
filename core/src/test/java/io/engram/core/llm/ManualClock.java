package io.engram.core.llm;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A clock that moves only when told: the circuit breaker reads it, and the gateway's retry backoff
 * advances it instead of sleeping, so a test decides when an open period has passed.
 */
final class ManualClock implements LongSupplier, ChatModelGateway.Sleeper {
  private final AtomicLong nanos = new AtomicLong();
  private final List<Duration> sleeps = new CopyOnWriteArrayList<>();

  @Override
  public long getAsLong() {
    return nanos.get();
  }

  @Override
  public void sleep(Duration duration) {
    sleeps.add(duration);
    advance(duration);
  }

  void advance(Duration duration) {
    nanos.addAndGet(duration.toNanos());
  }

  /** The backoffs the gateway waited out, in order. */
  List<Duration> sleeps() {
    return List.copyOf(sleeps);
  }
}
