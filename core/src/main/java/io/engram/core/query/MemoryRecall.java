package io.engram.core.query;

import io.engram.core.memory.FactCitations;
import io.engram.core.memory.MemoryHit;
import io.engram.core.memory.MemoryRetriever;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The query path's view of long-term memory: recalls the session's facts on the executor while
 * documents are retrieved, and records the facts an answer cited in the citation buffer. Memory is
 * an addition to an answer, never a reason for it to fail: errors and slow recalls give no facts
 * and a log line.
 */
public final class MemoryRecall {
  private static final Logger log = LoggerFactory.getLogger(MemoryRecall.class);

  /** Longest a query waits for recall once its documents are retrieved. */
  static final long WAIT_MS = 2_000;

  private final MemoryRetriever retriever;
  private final FactCitations citations;
  private final int topK;
  private final Executor executor;
  private final Clock clock;

  /**
   * @param topK facts recalled per question at most; 0 turns recall off
   */
  public MemoryRecall(
      MemoryRetriever retriever,
      FactCitations citations,
      int topK,
      Executor executor,
      Clock clock) {
    this.retriever = retriever;
    this.citations = citations;
    this.topK = topK;
    this.executor = executor;
    this.clock = clock;
  }

  /** Starts recalling the session's facts relevant to {@code query}. */
  public CompletableFuture<List<MemoryHit>> recall(UUID sessionId, String query) {
    if (topK <= 0) {
      return CompletableFuture.completedFuture(List.of());
    }
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return retriever.recall(sessionId, query, topK, clock.instant());
          } catch (Exception e) {
            throw new CompletionException(e);
          }
        },
        executor);
  }

  /** The recalled facts, or none if recall failed or took too long. */
  public List<MemoryHit> await(CompletableFuture<List<MemoryHit>> recall) {
    try {
      return recall.get(WAIT_MS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of();
    } catch (Exception e) {
      log.warn("memory recall failed, answering without memory: {}", e.getMessage());
      return List.of();
    }
  }

  /** Records that an answer cited these facts, off the request path. */
  public void cited(List<MemoryHit> facts) {
    if (facts.isEmpty()) {
      return;
    }
    var at = clock.instant();
    List<FactCitations.Cited> cited =
        facts.stream().map(f -> new FactCitations.Cited(f.tier(), f.factId())).toList();
    executor.execute(
        () -> {
          try {
            citations.record(cited, at);
          } catch (Exception e) {
            log.warn("could not record {} memory citations: {}", cited.size(), e.getMessage());
          }
        });
  }
}
