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

  /** Name and version of the reranker, reported beside the index version in results. */
  String name();
}
