package io.engram.workflows.common;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Holds batch activities until a test lets each one finish, and counts how many run at once. A test
 * that releases them one at a time sees exactly how many batches the workflow keeps in flight: no
 * sleep has to make batches overlap, and no timing decides the count.
 */
public final class BatchGate {
  private static final Duration PATIENCE = Duration.ofSeconds(30);

  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private final AtomicInteger finished = new AtomicInteger();
  private final Semaphore permits;

  private BatchGate(int permits) {
    this.permits = new Semaphore(permits);
  }

  /** Holds every batch until {@link #releaseOneByOne} lets it finish. */
  public static BatchGate closed() {
    return new BatchGate(0);
  }

  /** Lets every batch finish at once, still counting. */
  public static BatchGate open() {
    return new BatchGate(Integer.MAX_VALUE);
  }

  /** Runs {@code batch} once the gate lets it, counting it as in flight until then. */
  public <T> T pass(Supplier<T> batch) {
    maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
    try {
      if (!permits.tryAcquire(PATIENCE.toSeconds(), TimeUnit.SECONDS)) {
        throw new IllegalStateException("no test released this batch");
      }
      return batch.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      inFlight.decrementAndGet();
      finished.incrementAndGet();
    }
  }

  /**
   * Lets {@code batches} batches finish one at a time, each only once exactly {@code min(limit,
   * batches left)} are in flight: a workflow that runs fewer at once, or more, fails the wait.
   */
  public void releaseOneByOne(int batches, int limit) {
    for (int done = 0; done < batches; done++) {
      int finishedSoFar = done;
      int expected = Math.min(limit, batches - done);
      await(expected + " batches in flight after " + done + " of " + batches + " finished")
          .atMost(PATIENCE)
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(10))
          .until(() -> finished.get() == finishedSoFar && inFlight.get() == expected);
      permits.release();
    }
    await("all " + batches + " batches finished")
        .atMost(PATIENCE)
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(10))
        .until(() -> finished.get() == batches);
  }

  /** The most batches that were in flight at the same time. */
  public int maxInFlight() {
    return maxInFlight.get();
  }

  /** Batches that have finished (or given up waiting). */
  public int finished() {
    return finished.get();
  }
}
