package io.engram.api.query;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;

/**
 * How {@code POST /v1/query} classifies turns and rewrites follow-ups ({@code
 * ENGRAM_INTENT_CLASSIFIER}, {@code ENGRAM_INTENT_TIMEOUT_MS}, {@code ENGRAM_INTENT_MAX_TOKENS}).
 *
 * @param classifier {@code auto} (the LLM when {@code ENGRAM_LLM_PROVIDER} names one, else the
 *     local rules), {@code local} or {@code llm} (which then requires an LLM provider)
 * @param timeoutMs patience with the LLM per turn; it runs before retrieval, so it is far shorter
 *     than the answer's timeout, and a turn it runs out on is classified locally
 * @param maxTokens most tokens of the LLM's reply: a JSON object with one rewritten query
 */
@ConfigurationProperties("engram.intent")
public record IntentProperties(
    @NotNull @Bindable(defaultValue = "AUTO") Kind classifier,
    @Min(50) @Max(60_000) @Bindable(defaultValue = "2000") int timeoutMs,
    @Min(16) @Max(1024) @Bindable(defaultValue = "96") int maxTokens) {

  /** Which classifier decides a turn's intent. */
  public enum Kind {
    AUTO,
    LOCAL,
    LLM
  }

  public Duration timeout() {
    return Duration.ofMillis(timeoutMs);
  }
}
