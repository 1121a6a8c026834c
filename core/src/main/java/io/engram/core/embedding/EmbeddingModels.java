package io.engram.core.embedding;

import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The in-process ONNX embedding models Engram can use, by the name stored in {@code
 * index_versions.embedding_model}. The weights ship inside Maven jars, so nothing is downloaded at
 * run time. Instances are created once per process and shared: each holds an ONNX session.
 */
public final class EmbeddingModels {

  /** A model name with its vector dimension and a factory. */
  public record Spec(String name, int dimension, Supplier<EmbeddingModel> factory) {}

  // bge-small-en-v1.5 (quantized) is the default: NDCG@10 0.747 on SciFact train vs 0.639 for
  // all-MiniLM-L6-v2, whose bundled tokenizer also truncates at 128 tokens.
  private static final Map<String, Spec> SPECS =
      Map.of(
          "bge-small-en-v1.5-q",
          new Spec(
              "bge-small-en-v1.5-q",
              384,
              () ->
                  new JarOnnxEmbeddingModel(
                      "bge-small-en-v1.5-q.onnx",
                      "bge-small-en-v1.5-q-tokenizer.json",
                      PoolingMode.CLS,
                      384,
                      intraOpThreads())),
          "all-minilm-l6-v2-q",
          new Spec(
              "all-minilm-l6-v2-q",
              384,
              () ->
                  new JarOnnxEmbeddingModel(
                      "all-minilm-l6-v2-q.onnx",
                      "all-minilm-l6-v2-q-tokenizer.json",
                      PoolingMode.MEAN,
                      384,
                      intraOpThreads())));

  private static volatile int intraOpThreads = 1;

  /**
   * ONNX Runtime threads per call of the models loaded from now on ({@code ENGRAM_ONNX_THREADS}):
   * the process's composition root sets it once, before the first model loads.
   */
  public static void setIntraOpThreads(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("ONNX threads must be positive, got " + threads);
    }
    intraOpThreads = threads;
  }

  static int intraOpThreads() {
    return intraOpThreads;
  }

  private static final Map<String, EmbeddingModel> INSTANCES = new ConcurrentHashMap<>();

  private EmbeddingModels() {}

  public static Spec spec(String name) {
    Spec spec = SPECS.get(name);
    if (spec == null) {
      throw new IllegalArgumentException(
          "unknown embedding model '" + name + "'; known models: " + SPECS.keySet());
    }
    return spec;
  }

  /** The shared instance of a model, loaded on first use. */
  public static EmbeddingModel get(String name) {
    Spec spec = spec(name);
    return INSTANCES.computeIfAbsent(name, n -> spec.factory().get());
  }
}
