package io.engram.core.embedding;

import java.util.List;

/** The default model, bge-small-en-v1.5 (quantized), in process. */
class BgeSmallEmbedderContractTest extends EmbedderContract {
  private static final String MODEL = "bge-small-en-v1.5-q";

  @Override
  protected String modelName() {
    return MODEL;
  }

  @Override
  protected List<float[]> embed(List<String> texts) {
    return embedAll(EmbeddingModels.get(MODEL), texts);
  }
}
