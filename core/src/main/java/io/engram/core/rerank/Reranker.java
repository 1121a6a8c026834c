package io.engram.core.rerank;

import io.engram.core.retrieval.Candidate;
import java.util.List;

/**
 * Reorders fused retrieval candidates. Implementations are thread-safe and cheap enough for the
 * synchronous query path; they see only the query text and the candidates (with both legs' scores).
 */
public interface Reranker {

  /** Keeps the fusion order. */
  Reranker NONE =
      new Reranker() {
        @Override
        public List<Candidate> rerank(String query, List<Candidate> candidates) {
          return candidates;
        }

        @Override
        public String name() {
          return "none";
        }
      };

  /**
   * Returns the candidates in the new order, each carrying its reranked score. Must return every
   * candidate exactly once.
   */
  List<Candidate> rerank(String query, List<Candidate> candidates);

  /**
   * Prepares what this reranker caches per passage for {@code passages}, so the first queries that
   * retrieve them do not pay for it (the query path's warm-up calls it over every stored chunk).
   * Must not change any later result; the default does nothing.
   */
  default void prepare(List<Candidate> passages) {}

  /** Name and version of the reranker, reported beside the index version in results. */
  String name();
}
