package io.engram.core.llm;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Stops calling a failing endpoint for a while. Closed: calls go through and consecutive failures
 * are counted; at the threshold it opens. Open: calls are refused until the open period has passed;
 * then one trial call is let through (half-open) and its outcome closes or re-opens the breaker.
 * Without it, every query would wait out the full timeout while the LLM is down.
 */
public final class CircuitBreaker {

  /** The breaker's state, for metrics and health. */
  public enum State {
    CLOSED,
    OPEN,
    HALF_OPEN
  }

  private final int failureThreshold;
  private final long openNanos;
  private final LongSupplier nanoClock;

  private State state = State.CLOSED;
  private int failures;
  private long openedAt;

  public CircuitBreaker(int failureThreshold, Duration openFor, LongSupplier nanoClock) {
    if (failureThreshold < 1) {
      throw new IllegalArgumentException("failure threshold must be positive");
    }
    this.failureThreshold = failureThreshold;
    this.openNanos = openFor.toNanos();
    this.nanoClock = nanoClock;
  }

  /** Whether a call may go out now; moves an expired open breaker to half-open (one trial). */
  public synchronized boolean tryAcquire() {
    switch (state) {
      case CLOSED:
        return true;
      case OPEN:
        if (nanoClock.getAsLong() - openedAt >= openNanos) {
          state = State.HALF_OPEN;
          return true;
        }
        return false;
      case HALF_OPEN:
      default:
        // A trial call is already out; others wait for its verdict.
        return false;
    }
  }

  public synchronized void onSuccess() {
    state = State.CLOSED;
    failures = 0;
  }

  public synchronized void onFailure() {
    failures++;
    if (state == State.HALF_OPEN || failures >= failureThreshold) {
      state = State.OPEN;
      openedAt = nanoClock.getAsLong();
    }
  }

  public synchronized State state() {
    return state;
  }
}
