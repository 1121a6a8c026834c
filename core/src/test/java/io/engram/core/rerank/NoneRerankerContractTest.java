package io.engram.core.rerank;

/** The fusion order passed through: {@link Reranker#NONE}. */
class NoneRerankerContractTest extends RerankerContract {

  @Override
  protected Reranker reranker() {
    return Reranker.NONE;
  }
}
