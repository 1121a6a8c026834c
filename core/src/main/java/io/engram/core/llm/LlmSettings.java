package io.engram.core.llm;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Where the LLM gateway sends prompts and how patiently. Read once from environment variables and
 * validated; {@link #toString()} never shows the API key.
 *
 * @param provider {@code none} (extractive answers only), {@code openai} (any OpenAI-compatible
 *     endpoint: OpenAI, vLLM, llama.cpp server) or {@code ollama}
 * @param baseUrl the endpoint, e.g. {@code http://127.0.0.1:8081/v1} for a llama.cpp server
 * @param model model name sent with each request
 * @param apiKey bearer token; may be blank for local servers; never logged
 * @param timeout per attempt
 * @param maxRetries further attempts after a retryable failure (timeout, 5xx, rate limit)
 * @param maxTokens most tokens generated per answer
 * @param temperature sampling temperature; 0 keeps answers reproducible
 * @param breakerFailures consecutive failed calls that open the circuit breaker
 * @param breakerOpenFor how long an open breaker short-circuits calls before one trial call
 */
public record LlmSettings(
    Provider provider,
    String baseUrl,
    String model,
    String apiKey,
    Duration timeout,
    int maxRetries,
    int maxTokens,
    double temperature,
    int breakerFailures,
    Duration breakerOpenFor) {

  /** Which client talks to the endpoint. */
  public enum Provider {
    NONE,
    OPENAI,
    OLLAMA;
  }

  public static final String ENV_PROVIDER = "ENGRAM_LLM_PROVIDER";
  public static final String ENV_BASE_URL = "ENGRAM_LLM_BASE_URL";
  public static final String ENV_MODEL = "ENGRAM_LLM_MODEL";
  public static final String ENV_API_KEY = "ENGRAM_LLM_API_KEY";
  public static final String ENV_TIMEOUT_MS = "ENGRAM_LLM_TIMEOUT_MS";
  public static final String ENV_MAX_RETRIES = "ENGRAM_LLM_MAX_RETRIES";
  public static final String ENV_MAX_TOKENS = "ENGRAM_LLM_MAX_TOKENS";
  public static final String ENV_TEMPERATURE = "ENGRAM_LLM_TEMPERATURE";
  public static final String ENV_BREAKER_FAILURES = "ENGRAM_LLM_BREAKER_FAILURES";
  public static final String ENV_BREAKER_OPEN_MS = "ENGRAM_LLM_BREAKER_OPEN_MS";

  /** Every variable read by {@link #fromEnvironment}. */
  public LlmSettings {
    Objects.requireNonNull(provider, "provider");
    if (provider != Provider.NONE) {
      if (baseUrl == null || baseUrl.isBlank()) {
        throw new IllegalArgumentException(
            ENV_BASE_URL
                + " is required when "
                + ENV_PROVIDER
                + "="
                + provider.name().toLowerCase());
      }
      URI uri = URI.create(baseUrl);
      if (uri.getScheme() == null || !uri.getScheme().startsWith("http")) {
        throw new IllegalArgumentException(ENV_BASE_URL + " must be an http(s) URL");
      }
      if (model == null || model.isBlank()) {
        throw new IllegalArgumentException(ENV_MODEL + " is required with an LLM provider");
      }
    }
    apiKey = apiKey == null ? "" : apiKey;
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("LLM timeout must be positive");
    }
    if (maxRetries < 0 || maxRetries > 5) {
      throw new IllegalArgumentException("LLM max retries must be in [0, 5], got " + maxRetries);
    }
    if (maxTokens < 1) {
      throw new IllegalArgumentException("LLM max tokens must be positive, got " + maxTokens);
    }
    if (!(temperature >= 0 && temperature <= 2)) {
      throw new IllegalArgumentException("LLM temperature must be in [0, 2], got " + temperature);
    }
    if (breakerFailures < 1) {
      throw new IllegalArgumentException("breaker failures must be positive");
    }
    Objects.requireNonNull(breakerOpenFor, "breakerOpenFor");
  }

  /**
   * The same endpoint and breaker policy with another budget per call, for a caller with less
   * patience than answer generation (intent classification runs before retrieval, on every turn).
   */
  public LlmSettings withCallBudget(
      Duration timeout, int maxRetries, int maxTokens, double temperature) {
    return new LlmSettings(
        provider,
        baseUrl,
        model,
        apiKey,
        timeout,
        maxRetries,
        maxTokens,
        temperature,
        breakerFailures,
        breakerOpenFor);
  }

  public boolean enabled() {
    return provider != Provider.NONE;
  }

  @Override
  public String toString() {
    return "LlmSettings[provider=%s, baseUrl=%s, model=%s, apiKey=%s, timeout=%s, maxRetries=%d, maxTokens=%d]"
        .formatted(
            provider.name().toLowerCase(Locale.ROOT),
            baseUrl,
            model,
            apiKey.isEmpty() ? "none" : "***",
            timeout,
            maxRetries,
            maxTokens);
  }
}
