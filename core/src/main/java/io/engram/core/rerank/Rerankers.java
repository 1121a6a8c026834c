package io.engram.core.rerank;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Chooses the reranker from configuration, the same way in every process: the API passes its bound
 * {@code engram.retrieval.reranker}, the worker its environment ({@code ENGRAM_RERANKER}).
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

  /** The environment variables read by {@link #fromEnvironment}. */
  public static final List<String> VARIABLES =
      List.of(
          ENV_RERANKER,
          ENV_LINEAR_MODEL,
          ENV_CROSS_ENCODER_DIR,
          ENV_CROSS_ENCODER_NAME,
          ENV_CROSS_ENCODER_MAX_LENGTH,
          ENV_CROSS_ENCODER_TOP_N,
          ENV_CROSS_ENCODER_BATCH_SIZE,
          ENV_CROSS_ENCODER_THREADS,
          ENV_ONNX_THREADS);

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

  /** The kind used when nothing is configured. */
  public static final Kind DEFAULT = Kind.LINEAR;

  private Rerankers() {}

  /** The reranker {@code ENGRAM_RERANKER} names ({@link #DEFAULT} when unset). */
  public static Reranker fromEnvironment(Map<String, String> env) {
    String value = env.get(ENV_RERANKER);
    Kind kind = value == null || value.isBlank() ? DEFAULT : Kind.parse(value);
    return create(kind, env);
  }

  /**
   * The reranker of {@code kind}; other settings (the linear model's path, the cross-encoder's
   * directory and limits) are read from {@code env}.
   *
   * @throws IllegalArgumentException when a setting is missing or malformed, or the model it names
   *     cannot be loaded
   */
  public static Reranker create(Kind kind, Map<String, String> env) {
    return switch (kind) {
      case NONE -> Reranker.NONE;
      case LINEAR -> {
        String path = env.get(ENV_LINEAR_MODEL);
        yield path == null || path.isBlank()
            ? LinearReranker.fromResource(LinearReranker.DEFAULT_RESOURCE)
            : LinearReranker.fromFile(Path.of(path));
      }
      case CROSS_ENCODER -> CrossEncoderReranker.load(crossEncoderSettings(env));
    };
  }

  /** The cross-encoder's settings from {@code env}, with the defaults for what is unset. */
  public static CrossEncoderReranker.Settings crossEncoderSettings(Map<String, String> env) {
    String dir = env.get(ENV_CROSS_ENCODER_DIR);
    if (dir == null || dir.isBlank()) {
      throw new IllegalArgumentException(
          ENV_RERANKER
              + "="
              + Kind.CROSS_ENCODER.value()
              + " needs "
              + ENV_CROSS_ENCODER_DIR
              + ": a directory holding "
              + CrossEncoderReranker.MODEL_FILE
              + " and "
              + CrossEncoderReranker.TOKENIZER_FILE
              + " (see docs/rerank.md)");
    }
    return new CrossEncoderReranker.Settings(
        Path.of(dir.strip()),
        env.get(ENV_CROSS_ENCODER_NAME),
        positiveInt(env, ENV_CROSS_ENCODER_MAX_LENGTH, CrossEncoderReranker.DEFAULT_MAX_LENGTH),
        positiveInt(env, ENV_CROSS_ENCODER_TOP_N, CrossEncoderReranker.DEFAULT_TOP_N),
        positiveInt(env, ENV_CROSS_ENCODER_BATCH_SIZE, CrossEncoderReranker.DEFAULT_BATCH_SIZE),
        positiveInt(env, ENV_CROSS_ENCODER_THREADS, positiveInt(env, ENV_ONNX_THREADS, 1)));
  }

  private static int positiveInt(Map<String, String> env, String name, int fallback) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      int parsed = Integer.parseInt(value.strip());
      if (parsed > 0) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // Reported below with the variable's name.
    }
    throw new IllegalArgumentException(name + " must be a positive integer, got '" + value + "'");
  }
}
