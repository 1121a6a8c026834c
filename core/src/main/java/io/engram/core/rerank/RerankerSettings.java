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
 */
public record RerankerSettings(
    Rerankers.Kind kind, Path linearModel, CrossEncoderReranker.Settings crossEncoder) {

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
    }
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
