package io.engram.core.llm;

import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.exception.RetriableException;
import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.ollama.OllamaChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The LLM gateway over a langchain4j {@link ChatModel}: retries fast retryable failures (a
 * connection refused, a 5xx, a 429) with a short backoff but not a timeout, so a call waits at most
 * one timeout; a circuit breaker stops calling an endpoint that keeps failing. The client's own
 * retries are off so that one {@link #complete} is one breaker outcome.
 */
public final class ChatModelGateway implements LlmGateway {
  private static final Logger log = LoggerFactory.getLogger(ChatModelGateway.class);

  /**
   * Cut generation where a base (non-instruction-tuned) model would start the next prompt; harmless
   * for chat models.
   */
  static final List<String> STOP = List.of("\nQuestion:", "<end_of_turn>", "\n\n\n");

  private final ChatModel model;
  private final String modelName;
  private final Retries retries;
  private final CircuitBreaker breaker;

  /** Waits out a retry's backoff; tests pass one that moves their clock instead. */
  @FunctionalInterface
  interface Sleeper {
    void sleep(Duration duration);
  }

  /**
   * How a retryable failure is retried: at most {@code maxRetries} more attempts, the n-th after n
   * × {@code backoff}, waited out by {@code sleeper}.
   */
  record Retries(int maxRetries, Duration backoff, Sleeper sleeper) {
    /** Waits before retry number {@code retry}, counted from 1. */
    void pause(int retry) {
      sleeper.sleep(backoff.multipliedBy(retry));
    }
  }

  public ChatModelGateway(
      ChatModel model, String modelName, int maxRetries, Duration backoff, CircuitBreaker breaker) {
    this(model, modelName, new Retries(maxRetries, backoff, ChatModelGateway::sleep), breaker);
  }

  ChatModelGateway(ChatModel model, String modelName, Retries retries, CircuitBreaker breaker) {
    this.model = model;
    this.modelName = modelName;
    this.retries = retries;
    this.breaker = breaker;
  }

  /** The gateway the settings describe, or empty when no provider is configured. */
  public static Optional<LlmGateway> create(LlmSettings settings) {
    return create(settings, System::nanoTime, ChatModelGateway::sleep);
  }

  /**
   * As {@link #create(LlmSettings)}, with the breaker on {@code nanoClock} and the retry backoff
   * waited out by {@code sleeper}, so that tests control both.
   */
  static Optional<LlmGateway> create(
      LlmSettings settings, LongSupplier nanoClock, Sleeper sleeper) {
    if (!settings.enabled()) {
      return Optional.empty();
    }
    ChatModel model =
        switch (settings.provider()) {
          case OPENAI ->
              OpenAiChatModel.builder()
                  .baseUrl(settings.baseUrl())
                  // OpenAI-compatible local servers accept any token; the client insists on one.
                  .apiKey(settings.apiKey().isEmpty() ? "none" : settings.apiKey())
                  .modelName(settings.model())
                  .timeout(settings.timeout())
                  .maxRetries(0)
                  .maxTokens(settings.maxTokens())
                  .temperature(settings.temperature())
                  .stop(STOP)
                  .build();
          case OLLAMA ->
              OllamaChatModel.builder()
                  .baseUrl(settings.baseUrl())
                  .modelName(settings.model())
                  .timeout(settings.timeout())
                  .maxRetries(0)
                  .numPredict(settings.maxTokens())
                  .temperature(settings.temperature())
                  .stop(STOP)
                  .build();
          case NONE -> throw new IllegalStateException("unreachable");
        };
    log.info("LLM gateway: {}", settings);
    return Optional.of(
        new ChatModelGateway(
            model,
            settings.provider().name().toLowerCase(Locale.ROOT) + ":" + settings.model(),
            new Retries(settings.maxRetries(), Duration.ofMillis(250), sleeper),
            new CircuitBreaker(settings.breakerFailures(), settings.breakerOpenFor(), nanoClock)));
  }

  @Override
  public String complete(String system, String user) throws LlmUnavailableException {
    if (!breaker.tryAcquire()) {
      throw new LlmUnavailableException(
          "LLM circuit breaker is open after repeated failures; retrying later");
    }
    RuntimeException last = null;
    for (int attempt = 0; attempt <= retries.maxRetries(); attempt++) {
      try {
        ChatResponse response = model.chat(SystemMessage.from(system), UserMessage.from(user));
        String text = response.aiMessage() == null ? null : response.aiMessage().text();
        if (text == null || text.isBlank()) {
          breaker.onFailure();
          throw new LlmUnavailableException("the LLM returned an empty answer");
        }
        breaker.onSuccess();
        return text;
      } catch (RuntimeException e) {
        last = e;
        // A timed-out attempt has waited the whole timeout already, and a local server is most
        // likely still generating the abandoned reply, so a retry would queue behind it and double
        // the caller's wait for nothing: only fast failures are retried.
        if (!retryable(e) || timedOut(e) || attempt == retries.maxRetries()) {
          break;
        }
        log.debug("LLM attempt {} failed ({}); retrying", attempt + 1, describe(e));
        retries.pause(attempt + 1);
      }
    }
    breaker.onFailure();
    throw new LlmUnavailableException("LLM call failed: " + describe(last), last);
  }

  @Override
  public String modelName() {
    return modelName;
  }

  public CircuitBreaker.State breakerState() {
    return breaker.state();
  }

  static boolean retryable(Throwable e) {
    if (e instanceof AuthenticationException
        || e instanceof InvalidRequestException
        || e instanceof ModelNotFoundException) {
      return false;
    }
    if (e instanceof HttpException http) {
      return http.statusCode() >= 500 || http.statusCode() == 429;
    }
    return e instanceof TimeoutException
        || e instanceof InternalServerException
        || e instanceof RateLimitException
        || e instanceof RetriableException
        || e.getCause() instanceof java.io.IOException
        || e.getCause() instanceof java.util.concurrent.TimeoutException;
  }

  /** True when the call failed because no reply came within the timeout (read or connect). */
  static boolean timedOut(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof TimeoutException
          || t instanceof java.util.concurrent.TimeoutException
          || t instanceof java.net.SocketTimeoutException
          || t instanceof java.net.http.HttpTimeoutException) {
        return true;
      }
    }
    return false;
  }

  /** The failure in a few words, without request bodies (which hold the user's question). */
  static String describe(Throwable e) {
    if (e == null) {
      return "unknown error";
    }
    if (e instanceof HttpException http) {
      return "HTTP " + http.statusCode();
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String kind = e.getClass().getSimpleName();
    return root == e ? kind : kind + " (" + root.getClass().getSimpleName() + ")";
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
