package io.engram.core.embedding;

import java.util.List;

/** all-MiniLM-L6-v2 (quantized), in process. */
class MiniLmEmbedderContractTest extends EmbedderContract {
  private static final String MODEL = "all-minilm-l6-v2-q";

  @Override
  protected String modelName() {
    return MODEL;
  }

  @Override
  protected List<float[]> embed(List<String> texts) {
    return embedAll(EmbeddingModels.get(MODEL), texts);
  }
}
