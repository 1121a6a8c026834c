package io.engram.core.retrieval;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * How a model version retrieves: part of what a model version pins, shared by the query API, the
 * evaluation workflow and the benchmarks so all of them measure the same path. Validated once here;
 * the defaults, and why they are what they are, are in {@code defaults.properties}.
 *
 * @param mode hybrid (dense + full text, fused) or dense only
 * @param denseWeight weight of the dense leg in the fusion, in [0, 1]
 * @param candidates chunks fetched from each leg before fusion (and reranking)
 * @param maxLexemeShare the full-text leg ignores lexemes found in a larger share of the chunks
 * @param rerank whether the model version's reranker reorders the fused candidates
 */
// Evaluation runs store these as JSON; runs stored before the settings had this shape also carry
// the request's topK and index version, which are not settings.
@JsonIgnoreProperties(ignoreUnknown = true)
public record RetrievalSettings(
    Mode mode, double denseWeight, int candidates, double maxLexemeShare, boolean rerank) {

  /** How the two legs are combined. */
  public enum Mode {
    DENSE,
    HYBRID
  }

  /** Most chunks one retrieval returns (the evaluation's depth and the API's largest topK). */
  public static final int MAX_DEPTH = 1000;

  public RetrievalSettings {
    if (mode == null) {
      throw new IllegalArgumentException("mode is required");
    }
    if (candidates < 1 || candidates > MAX_DEPTH) {
      throw new IllegalArgumentException(
          "candidates must be in [1, " + MAX_DEPTH + "], got " + candidates);
    }
    if (!(denseWeight >= 0 && denseWeight <= 1)) {
      throw new IllegalArgumentException("denseWeight must be in [0, 1], got " + denseWeight);
    }
    if (!(maxLexemeShare > 0 && maxLexemeShare <= 1)) {
      throw new IllegalArgumentException("maxLexemeShare must be in (0, 1], got " + maxLexemeShare);
    }
  }

  public RetrievalSettings withRerank(boolean on) {
    return new RetrievalSettings(mode, denseWeight, candidates, maxLexemeShare, on);
  }

  public RetrievalSettings withMode(Mode m) {
    return new RetrievalSettings(m, denseWeight, candidates, maxLexemeShare, rerank);
  }
}
