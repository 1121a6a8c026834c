package io.engram.core.training;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

/**
 * The prepared {@link TrialEvaluator}s of a worker, the two most recently used kept. Trials running
 * at once in one worker share one preparation: the first prepares, the others wait for it while
 * still reporting progress (so their heartbeats go on).
 */
final class TrialEvaluators {
  /** What an evaluator is prepared from: an index version, a labelled set, a champion. */
  record Key(int indexVersionId, String queriesBlob, String qrelsBlob, long championId) {}

  private static final int KEEP = 2;

  private final Map<Key, CompletableFuture<TrialEvaluator>> prepared =
      new LinkedHashMap<>(4, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, CompletableFuture<TrialEvaluator>> e) {
          return size() > KEEP;
        }
      };

  TrialEvaluator get(Key key, Supplier<TrialEvaluator> prepare, IntConsumer progress) {
    CompletableFuture<TrialEvaluator> future;
    boolean mine = false;
    synchronized (this) {
      future = prepared.get(key);
      if (future == null || future.isCompletedExceptionally()) {
        future = new CompletableFuture<>();
        prepared.put(key, future);
        mine = true;
      }
    }
    if (mine) {
      try {
        future.complete(prepare.get());
      } catch (RuntimeException | Error e) {
        future.completeExceptionally(e);
        throw e;
      }
    }
    while (true) {
      try {
        return future.get(5, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        progress.accept(0);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while the trial evaluator is prepared", e);
      } catch (ExecutionException e) {
        throw e.getCause() instanceof RuntimeException r
            ? r
            : new IllegalStateException("preparing the trial evaluator failed", e.getCause());
      }
    }
  }
}
