package io.engram.core.rollout;

import io.engram.core.CoreServices;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs shadow comparisons beside the request path: a fixed number of threads over a bounded queue.
 * A comparison that finds the queue full is dropped at once (and counted), never waited for, so
 * shadow traffic cannot slow a user down however slow the candidate is.
 */
final class ShadowQueue implements AutoCloseable {
  private final ThreadPoolExecutor executor;

  ShadowQueue(int threads, int capacity) {
    this.executor =
        new ThreadPoolExecutor(
            threads,
            threads,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(capacity),
            CoreServices.daemonThreads("engram-shadow"),
            new ThreadPoolExecutor.AbortPolicy());
  }

  /** Queues {@code comparison}; false when the queue is full and it was dropped. */
  boolean offer(Runnable comparison) {
    try {
      executor.execute(comparison);
      return true;
    } catch (java.util.concurrent.RejectedExecutionException e) {
      return false;
    }
  }

  /** Comparisons waiting. */
  int waiting() {
    return executor.getQueue().size();
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
