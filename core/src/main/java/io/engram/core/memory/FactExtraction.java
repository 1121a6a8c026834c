package io.engram.core.memory;

import io.engram.core.llm.LlmGateway;
import java.util.Optional;

/**
 * Which extractor distils facts in the worker ({@code ENGRAM_MEMORY_EXTRACTOR}). The worker's LLM
 * settings ({@code ENGRAM_LLM_*}) also serve the evaluation's answer tier, and a model good enough
 * to answer may still be too weak to write the JSON extraction needs (the 270M model of {@code
 * ./engram up --with-llm} is), so the two are chosen separately.
 */
public enum FactExtraction {
  /** The LLM when {@code ENGRAM_LLM_*} configure one, else the local extractor (the default). */
  AUTO,
  /** Always the local extractor, whatever LLM is configured. */
  LOCAL,
  /** Always the LLM; refused at start when none is configured. */
  LLM;

  public static final String ENV = "ENGRAM_MEMORY_EXTRACTOR";

  /**
   * The extractor this choice makes, given the configured LLM (if any) and the local extractor.
   *
   * @throws IllegalArgumentException for {@link #LLM} without a configured LLM
   */
  public FactExtractor choose(Optional<LlmGateway> llm, FactExtractor local) {
    return switch (this) {
      case AUTO -> llm.<FactExtractor>map(LlmFactExtractor::new).orElse(local);
      case LOCAL -> local;
      case LLM ->
          new LlmFactExtractor(
              llm.orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          ENV + "=llm needs an LLM: set ENGRAM_LLM_PROVIDER and its endpoint")));
    };
  }
}
