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

  /** Which reranker: {@code linear} (the bundled learned model) or {@code none}. */
  public static final String ENV_RERANKER = "ENGRAM_RERANKER";

  /** Optional path of a linear model file written by the trainer, instead of the bundled one. */
  public static final String ENV_LINEAR_MODEL = "ENGRAM_RERANKER_LINEAR_MODEL";

  /** The environment variables read by {@link #fromEnvironment}. */
  public static final List<String> VARIABLES = List.of(ENV_RERANKER, ENV_LINEAR_MODEL);

  /** The kinds of reranker this build has. */
  public enum Kind {
    /** Keeps the fusion order. */
    NONE,
    /** {@link LinearReranker} over {@link RerankFeatures}. */
    LINEAR;

    /**
     * Parses a configured value, case-insensitively.
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static Kind parse(String value) {
      String v = value == null ? "" : value.strip().toUpperCase(Locale.ROOT);
      for (Kind k : values()) {
        if (k.name().equals(v)) {
          return k;
        }
      }
      throw new IllegalArgumentException(
          ENV_RERANKER
              + " must be one of "
              + Arrays.stream(values()).map(k -> k.name().toLowerCase(Locale.ROOT)).toList()
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
   * The reranker of {@code kind}; other settings (the linear model's path) are read from {@code
   * env}.
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
    };
  }
}
