package io.engram.core.rerank;

import java.nio.file.Path;

/**
 * Which reranker a model version uses and where its weights are.
 *
 * @param kind linear, cross-encoder or none
 * @param linearModel a linear model file written by the trainer; null for the model bundled with
 *     core
 * @param crossEncoder the cross-encoder's directory and limits; required for {@code cross-encoder},
 *     ignored otherwise
 * @param artifact the SHA-256 of a stored blob holding a linear model's weights (a registered model
 *     version pins its reranker this way); takes precedence over {@code linearModel}; null for none
 */
public record RerankerSettings(
    Rerankers.Kind kind,
    Path linearModel,
    CrossEncoderReranker.Settings crossEncoder,
    String artifact) {

  public RerankerSettings {
    if (kind == null) {
      throw new IllegalArgumentException("a reranker kind is required");
    }
    if (kind == Rerankers.Kind.CROSS_ENCODER && crossEncoder == null) {
      throw new IllegalArgumentException(
          Rerankers.ENV_RERANKER
              + "="
              + Rerankers.Kind.CROSS_ENCODER.value()
              + " needs "
              + Rerankers.ENV_CROSS_ENCODER_DIR
              + ": a directory holding "
              + CrossEncoderReranker.MODEL_FILE
              + " and "
              + CrossEncoderReranker.TOKENIZER_FILE
              + " (see docs/rerank.md)");
    }
    if (kind != Rerankers.Kind.CROSS_ENCODER) {
      crossEncoder = null;
    }
    if (kind != Rerankers.Kind.LINEAR) {
      linearModel = null;
      artifact = null;
    }
  }

  /** The settings of {@code kind} without a stored artifact (as configured). */
  public RerankerSettings(
      Rerankers.Kind kind, Path linearModel, CrossEncoderReranker.Settings crossEncoder) {
    this(kind, linearModel, crossEncoder, null);
  }

  /** The same reranker with its weights pinned to the stored blob {@code sha256}. */
  public RerankerSettings withArtifact(String sha256) {
    return new RerankerSettings(kind, null, crossEncoder, sha256);
  }

  /** The learned linear model bundled with core. */
  public static RerankerSettings bundledLinear() {
    return new RerankerSettings(Rerankers.Kind.LINEAR, null, null);
  }

  /** No reranking: the fusion order. */
  public static RerankerSettings none() {
    return new RerankerSettings(Rerankers.Kind.NONE, null, null);
  }
}
