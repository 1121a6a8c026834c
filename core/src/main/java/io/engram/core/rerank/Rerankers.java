package io.engram.core.rerank;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Function;

/**
 * Loads the reranker {@link RerankerSettings} name, the same way in every process. The constants
 * name the settings (see {@code defaults.properties}), for messages that say what to change.
 */
public final class Rerankers {

  /**
   * Which reranker: {@code linear} (the bundled learned model), {@code cross-encoder} (an ONNX
   * model the operator provides) or {@code none}.
   */
  public static final String ENV_RERANKER = "ENGRAM_RERANKER";

  /** Optional path of a linear model file written by the trainer, instead of the bundled one. */
  public static final String ENV_LINEAR_MODEL = "ENGRAM_RERANKER_LINEAR_MODEL";

  /** The cross-encoder's directory, holding {@code model.onnx} and {@code tokenizer.json}. */
  public static final String ENV_CROSS_ENCODER_DIR = "ENGRAM_RERANKER_CROSS_ENCODER_DIR";

  /** Optional name reported in model versions, instead of the directory's name. */
  public static final String ENV_CROSS_ENCODER_NAME = "ENGRAM_RERANKER_CROSS_ENCODER_NAME";

  /** Tokens per (query, passage) pair ({@link CrossEncoderReranker#DEFAULT_MAX_LENGTH}). */
  public static final String ENV_CROSS_ENCODER_MAX_LENGTH =
      "ENGRAM_RERANKER_CROSS_ENCODER_MAX_LENGTH";

  /** Fused candidates scored per query ({@link CrossEncoderReranker#DEFAULT_TOP_N}). */
  public static final String ENV_CROSS_ENCODER_TOP_N = "ENGRAM_RERANKER_CROSS_ENCODER_TOP_N";

  /** Pairs per forward pass ({@link CrossEncoderReranker#DEFAULT_BATCH_SIZE}). */
  public static final String ENV_CROSS_ENCODER_BATCH_SIZE =
      "ENGRAM_RERANKER_CROSS_ENCODER_BATCH_SIZE";

  /** ONNX Runtime intra-op threads of the cross-encoder (default {@link #ENV_ONNX_THREADS}). */
  public static final String ENV_CROSS_ENCODER_THREADS = "ENGRAM_RERANKER_CROSS_ENCODER_THREADS";

  /** ONNX Runtime threads per model call of every in-process model (default 1). */
  public static final String ENV_ONNX_THREADS = "ENGRAM_ONNX_THREADS";

  /** The kinds of reranker this build has. */
  public enum Kind {
    /** Keeps the fusion order. */
    NONE,
    /** {@link LinearReranker} over {@link RerankFeatures}. */
    LINEAR,
    /** {@link CrossEncoderReranker} over an ONNX model in {@link #ENV_CROSS_ENCODER_DIR}. */
    CROSS_ENCODER;

    /** The configured spelling: lowercase, words joined by hyphens ({@code cross-encoder}). */
    public String value() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * Parses a configured value, case-insensitively, with words joined by {@code -} or {@code _}.
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static Kind parse(String value) {
      String v = value == null ? "" : value.strip().toUpperCase(Locale.ROOT).replace('-', '_');
      for (Kind k : values()) {
        if (k.name().equals(v)) {
          return k;
        }
      }
      throw new IllegalArgumentException(
          ENV_RERANKER
              + " must be one of "
              + Arrays.stream(values()).map(Kind::value).toList()
              + ", got '"
              + value
              + "'");
    }
  }

  private Rerankers() {}

  /**
   * Loads the reranker {@code settings} name; a stored artifact's weights are read through {@code
   * artifacts} (SHA-256 to bytes).
   *
   * @throws IllegalArgumentException when the model they name cannot be loaded
   */
  public static Reranker create(RerankerSettings settings, Function<String, byte[]> artifacts) {
    return switch (settings.kind()) {
      case NONE -> Reranker.NONE;
      case LINEAR -> {
        if (settings.artifact() != null) {
          yield LinearReranker.parse(
              new String(artifacts.apply(settings.artifact()), StandardCharsets.UTF_8),
              "artifact " + settings.artifact());
        }
        yield settings.linearModel() == null
            ? LinearReranker.fromResource(LinearReranker.DEFAULT_RESOURCE)
            : LinearReranker.fromFile(settings.linearModel());
      }
      case CROSS_ENCODER -> CrossEncoderReranker.load(settings.crossEncoder());
    };
  }

  /** Loads a reranker that names no stored artifact. */
  public static Reranker create(RerankerSettings settings) {
    return create(
        settings,
        sha256 -> {
          throw new IllegalArgumentException("no artifact store to read reranker " + sha256);
        });
  }
}
