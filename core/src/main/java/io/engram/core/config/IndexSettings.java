package io.engram.core.config;

import io.engram.core.embedding.EmbeddingModels;

/**
 * What a new champion index version is built with, and how in-process models run.
 *
 * @param embeddingModel the embedding model's name (see {@link EmbeddingModels})
 * @param chunkSize chunk size in characters
 * @param chunkOverlap chunk overlap in characters, below the chunk size
 * @param onnxThreads ONNX Runtime intra-op threads per model call
 */
public record IndexSettings(
    String embeddingModel, int chunkSize, int chunkOverlap, int onnxThreads) {
  public IndexSettings {
    EmbeddingModels.spec(embeddingModel);
    if (chunkSize <= 0) {
      throw new IllegalArgumentException("chunk size must be positive, got " + chunkSize);
    }
    if (chunkOverlap < 0 || chunkOverlap >= chunkSize) {
      throw new IllegalArgumentException(
          "ENGRAM_CHUNK_OVERLAP must be in [0, ENGRAM_CHUNK_SIZE), got " + chunkOverlap);
    }
    if (onnxThreads < 1) {
      throw new IllegalArgumentException("ONNX threads must be positive, got " + onnxThreads);
    }
  }
}
