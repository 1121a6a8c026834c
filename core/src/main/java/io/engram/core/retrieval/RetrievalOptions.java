package io.engram.core.retrieval;

import java.util.Map;

/**
 * How one retrieval runs, shared by the query API and the evaluation activity so both measure the
 * same path. Validated once here; callers build it from their configuration.
 *
 * @param topK hits returned
 * @param candidates chunks fetched from each leg before fusion (and reranking)
 * @param mode hybrid (dense + full text, fused) or dense only
 * @param denseWeight weight of the dense leg in the fusion, in [0, 1]
 * @param maxLexemeShare the full-text leg ignores lexemes found in a larger share of the chunks
 * @param rerank whether the configured reranker reorders the fused candidates
 * @param indexVersion the index version (model version) to search; {@code null} for the champion
 */
public record RetrievalOptions(
    int topK,
    int candidates,
    HybridRetriever.Mode mode,
    double denseWeight,
    double maxLexemeShare,
    boolean rerank,
    String indexVersion) {

  public static final int DEFAULT_CANDIDATES = 100;
  public static final double DEFAULT_DENSE_WEIGHT = 0.8;

  /**
   * On SciFact, 0.02 instead of 0.05 makes PostgreSQL rank a third of the rows (p95 630 instead of
   * 1 707 matching chunks per query) at the same quality (held-out NDCG@10 0.7894 vs 0.7863; all
   * 809 train queries 0.7757 vs 0.7747); see docs/benchmarks/query.md.
   */
  public static final double DEFAULT_MAX_LEXEME_SHARE = 0.02;

  /** The environment variables read by {@link #fromEnvironment}. */
  public static final String ENV_MODE = "ENGRAM_RETRIEVAL_MODE";

  public static final String ENV_DENSE_WEIGHT = "ENGRAM_RETRIEVAL_DENSE_WEIGHT";
  public static final String ENV_CANDIDATES = "ENGRAM_RETRIEVAL_CANDIDATES";
  public static final String ENV_MAX_LEXEME_SHARE = "ENGRAM_RETRIEVAL_MAX_LEXEME_SHARE";
  public static final String ENV_RERANK = "ENGRAM_RETRIEVAL_RERANK";

  public RetrievalOptions {
    if (topK < 1 || topK > 1000) {
      throw new IllegalArgumentException("topK must be in [1, 1000], got " + topK);
    }
    if (candidates < 1 || candidates > 1000) {
      throw new IllegalArgumentException("candidates must be in [1, 1000], got " + candidates);
    }
    if (mode == null) {
      throw new IllegalArgumentException("mode is required");
    }
    if (!(denseWeight >= 0 && denseWeight <= 1)) {
      throw new IllegalArgumentException("denseWeight must be in [0, 1], got " + denseWeight);
    }
    if (!(maxLexemeShare > 0 && maxLexemeShare <= 1)) {
      throw new IllegalArgumentException("maxLexemeShare must be in (0, 1], got " + maxLexemeShare);
    }
  }

  /** The defaults used by {@code POST /v1/query}. */
  public static RetrievalOptions defaults(int topK) {
    return new RetrievalOptions(
        topK,
        DEFAULT_CANDIDATES,
        HybridRetriever.Mode.HYBRID,
        DEFAULT_DENSE_WEIGHT,
        DEFAULT_MAX_LEXEME_SHARE,
        true,
        null);
  }

  /** The defaults with the same environment overrides the API honours. */
  public static RetrievalOptions fromEnvironment(Map<String, String> env, int topK) {
    RetrievalOptions d = defaults(topK);
    return new RetrievalOptions(
        topK,
        Integer.parseInt(env.getOrDefault(ENV_CANDIDATES, String.valueOf(d.candidates()))),
        HybridRetriever.Mode.valueOf(
            env.getOrDefault(ENV_MODE, d.mode().name()).toUpperCase(java.util.Locale.ROOT)),
        Double.parseDouble(env.getOrDefault(ENV_DENSE_WEIGHT, String.valueOf(d.denseWeight()))),
        Double.parseDouble(
            env.getOrDefault(ENV_MAX_LEXEME_SHARE, String.valueOf(d.maxLexemeShare()))),
        Boolean.parseBoolean(env.getOrDefault(ENV_RERANK, String.valueOf(d.rerank()))),
        null);
  }

  public RetrievalOptions withTopK(int k) {
    return new RetrievalOptions(
        k, candidates, mode, denseWeight, maxLexemeShare, rerank, indexVersion);
  }

  public RetrievalOptions withIndexVersion(String version) {
    return new RetrievalOptions(
        topK, candidates, mode, denseWeight, maxLexemeShare, rerank, version);
  }

  public RetrievalOptions withRerank(boolean on) {
    return new RetrievalOptions(
        topK, candidates, mode, denseWeight, maxLexemeShare, on, indexVersion);
  }
}
