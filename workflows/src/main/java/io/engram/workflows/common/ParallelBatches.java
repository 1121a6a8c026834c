package io.engram.workflows.common;

import io.temporal.workflow.Promise;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;

/**
 * Works through the items {@code [from, to)} of a workflow in batches, with at most a bounded
 * number of batches in flight. Each finished batch is handed over at once, so progress never waits
 * for a slower one. Deterministic, as workflow code must be: batches start in order, and the
 * results are handled in the order the workflow sees them complete.
 */
public final class ParallelBatches {

  /** Starts the activity for the items {@code [from, to)}, usually with {@code Async.function}. */
  @FunctionalInterface
  public interface Start<R> {
    Promise<R> batch(int from, int to);
  }

  private ParallelBatches() {}

  /**
   * Runs every batch and returns when the last one has finished.
   *
   * @param batchSize items per batch; the last batch may be shorter
   * @param maxInFlight how many batches may run at once
   * @param finished receives each batch's result as soon as it completes
   */
  public static <R> void run(
      int total, int batchSize, int maxInFlight, Start<R> start, Consumer<R> finished) {
    run(0, total, batchSize, maxInFlight, start, finished);
  }

  /**
   * Runs the batches of the items {@code [from, to)} and returns when the last one has finished.
   */
  public static <R> void run(
      int from, int to, int batchSize, int maxInFlight, Start<R> start, Consumer<R> finished) {
    if (batchSize < 1 || maxInFlight < 1) {
      throw new IllegalArgumentException(
          "batchSize and maxInFlight must be positive: " + batchSize + ", " + maxInFlight);
    }
    List<Promise<R>> running = new ArrayList<>();
    int next = from;
    while (next < to || !running.isEmpty()) {
      while (running.size() < maxInFlight && next < to) {
        int end = Math.min(to, next + batchSize);
        running.add(start.batch(next, end));
        next = end;
      }
      Promise.anyOf(running).get();
      for (Iterator<Promise<R>> it = running.iterator(); it.hasNext(); ) {
        Promise<R> promise = it.next();
        if (promise.isCompleted()) {
          it.remove();
          finished.accept(promise.get());
        }
      }
    }
  }
}
