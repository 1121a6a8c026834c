package io.engram.core.rerank;

import java.util.Map;

/** The bundled linear model, as {@link Rerankers} builds it by default. */
class LinearRerankerContractTest extends RerankerContract {

  private static final Reranker RERANKER = Rerankers.fromEnvironment(Map.of());

  @Override
  protected Reranker reranker() {
    return RERANKER;
  }
}
