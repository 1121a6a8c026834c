package io.engram.api.query;

import io.engram.core.rerank.Rerankers;
import io.engram.core.retrieval.HybridRetriever;
import io.engram.core.retrieval.RetrievalOptions;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/**
 * How {@code POST /v1/query} retrieves ({@code ENGRAM_RETRIEVAL_MODE}, {@code
 * ENGRAM_RETRIEVAL_DENSE_WEIGHT}, {@code ENGRAM_RETRIEVAL_CANDIDATES}, {@code
 * ENGRAM_RETRIEVAL_MAX_LEXEME_SHARE}, {@code ENGRAM_RETRIEVAL_RERANK}, and {@code ENGRAM_RERANKER}
 * for the reranker, which the worker reads under the same name).
 *
 * @param mode {@code hybrid} (dense + full text, fused) or {@code dense}
 * @param denseWeight weight of the dense leg in the fusion
 * @param candidates chunks fetched from each leg before fusion
 * @param maxLexemeShare the full-text leg ignores lexemes found in a larger share of the chunks
 * @param rerank whether the reranker reorders the fused candidates
 * @param reranker which reranker: {@code linear} (the learned model bundled with core), {@code
 *     cross-encoder} (an ONNX model in {@code ENGRAM_RERANKER_CROSS_ENCODER_DIR}, see {@link
 *     Rerankers#crossEncoderSettings}) or {@code none}
 */
@ConfigurationProperties("engram.retrieval")
public record RetrievalProperties(
    @NotNull @Bindable(defaultValue = "HYBRID") HybridRetriever.Mode mode,
    @DecimalMin("0.0") @DecimalMax("1.0") @Bindable(defaultValue = "0.8") double denseWeight,
    @Min(1) @Max(1000) @Bindable(defaultValue = "100") int candidates,
    @DecimalMin("0.0") @DecimalMax("1.0") @Bindable(defaultValue = "0.02") double maxLexemeShare,
    @Bindable(defaultValue = "true") boolean rerank,
    @NotNull @Bindable(defaultValue = "LINEAR") Rerankers.Kind reranker) {

  /** The options for one query asking for {@code topK} hits. */
  public RetrievalOptions options(int topK) {
    return new RetrievalOptions(topK, candidates, mode, denseWeight, maxLexemeShare, rerank, null);
  }
}
