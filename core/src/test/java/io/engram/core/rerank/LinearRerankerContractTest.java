package io.engram.core.rerank;

import io.engram.core.config.EngramSettings;

/** The bundled linear model, as {@link Rerankers} builds it by default. */
class LinearRerankerContractTest extends RerankerContract {

  private static final Reranker RERANKER = Rerankers.create(EngramSettings.defaults().reranker());

  @Override
  protected Reranker reranker() {
    return RERANKER;
  }
}
