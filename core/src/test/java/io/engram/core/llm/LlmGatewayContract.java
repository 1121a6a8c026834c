package io.engram.core.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.engram.testing.ChatStubServer;
import io.engram.testing.ChatStubServer.Reply;
import io.engram.testing.ChatStubServer.Request;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the {@link LlmGateway} promises, run for each provider {@link ChatModelGateway} supports
 * through its real langchain4j client against a local endpoint speaking that provider's wire format
 * (a subclass provides it): the model's reply is returned; a server error or a timeout is retried
 * with a growing backoff and then reported as {@link LlmUnavailableException} without the prompt or
 * the key in its message; a client error is not retried; an empty reply counts as a failure; after
 * consecutive failed calls the circuit breaker spares the endpoint until its open period has passed
 * on the test's clock, when one trial call decides; concurrent calls each get their own reply.
 */
abstract class LlmGatewayContract {

  private static final String API_KEY = "sk-must-not-leak";
  private static final Duration OPEN_FOR = Duration.ofSeconds(30);

  private final ManualClock clock = new ManualClock();
  private ChatStubServer server;

  /** Starts this provider's endpoint, answering each request as {@code responder} says. */
  protected abstract ChatStubServer start(Function<Request, Reply> responder);

  /** The provider the endpoint speaks for. */
  protected abstract LlmSettings.Provider provider();

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** A gateway to a fresh endpoint, with the given patience per call and breaker threshold. */
  protected LlmGateway gateway(
      Function<Request, Reply> responder, Duration timeout, int retries, int breakerFailures) {
    server = start(responder);
    LlmSettings settings =
        new LlmSettings(
            provider(),
            server.baseUrl(),
            "stub-model",
            API_KEY,
            timeout,
            retries,
            64,
            0,
            breakerFailures,
            OPEN_FOR);
    return ChatModelGateway.create(settings, clock, clock).orElseThrow();
  }

  private LlmGateway gateway(Function<Request, Reply> responder, int retries) {
    return gateway(responder, Duration.ofSeconds(30), retries, 5);
  }

  /** The requests the endpoint received so far. */
  protected List<Request> requests() {
    return server.requests();
  }

  @Test
  void returns_the_models_reply_to_the_system_and_user_prompt() throws Exception {
    LlmGateway gateway = gateway(r -> Reply.completion("Coffee protects the liver [1]."), 0);

    String answer = gateway.complete("Answer briefly.", "Is coffee good for the liver?");

    assertThat(answer).isEqualTo("Coffee protects the liver [1].");
    assertThat(requests())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.system()).isEqualTo("Answer briefly.");
              assertThat(r.user()).isEqualTo("Is coffee good for the liver?");
              assertThat(r.body().path("model").asText()).isEqualTo("stub-model");
            });
    assertThat(gateway.modelName())
        .isEqualTo(provider().name().toLowerCase(java.util.Locale.ROOT) + ":stub-model");
  }

  @Test
  void a_server_error_is_retried_and_a_later_reply_returned() throws Exception {
    Queue<Reply> script =
        new ConcurrentLinkedQueue<>(
            List.of(Reply.error(503), Reply.completion("Second time lucky.")));
    LlmGateway gateway = gateway(r -> script.poll(), 1);

    assertThat(gateway.complete("s", "u")).isEqualTo("Second time lucky.");
    assertThat(requests()).hasSize(2);
  }

  @Test
  void server_errors_are_retried_with_growing_backoff_then_reported_unavailable() {
    LlmGateway gateway = gateway(r -> Reply.error(500), 2);

    assertThatThrownBy(() -> gateway.complete("s", "What is my diagnosis?"))
        .isInstanceOf(LlmUnavailableException.class)
        .hasMessageContaining("LLM call failed")
        .hasMessageNotContaining(API_KEY)
        .hasMessageNotContaining("diagnosis");
    assertThat(requests()).hasSize(3);
    assertThat(clock.sleeps()).containsExactly(Duration.ofMillis(250), Duration.ofMillis(500));
  }

  @Test
  void a_timeout_is_reported_unavailable_without_a_retry() throws Exception {
    LlmGateway gateway = gateway(r -> Reply.none(), Duration.ofMillis(300), 1, 5);

    assertThatThrownBy(() -> gateway.complete("s", "u"))
        .isInstanceOf(LlmUnavailableException.class)
        .hasMessageContaining("LLM call failed");
    // One timeout, not two: a retry would have waited out a backoff on the test's clock first.
    assertThat(clock.sleeps()).isEmpty();
    // The endpoint may log a request a moment after the client gave up on it; a retry would be a
    // second one, so the count must reach one and stay there.
    await().untilAsserted(() -> assertThat(requests()).hasSize(1));
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(requests()).hasSize(1));
  }

  @Test
  void a_refused_connection_is_retried() {
    LlmGateway gateway = gateway(r -> Reply.completion("never"), 1);
    server.close();

    assertThatThrownBy(() -> gateway.complete("s", "u"))
        .isInstanceOf(LlmUnavailableException.class)
        .hasMessageContaining("LLM call failed");
    assertThat(clock.sleeps()).containsExactly(Duration.ofMillis(250));
  }

  @Test
  void a_client_error_is_not_retried() {
    LlmGateway gateway = gateway(r -> Reply.error(400), 3);

    assertThatThrownBy(() -> gateway.complete("s", "u"))
        .isInstanceOf(LlmUnavailableException.class);
    assertThat(requests()).hasSize(1);
    assertThat(clock.sleeps()).isEmpty();
  }

  @Test
  void an_empty_reply_is_a_failure() {
    LlmGateway gateway = gateway(r -> Reply.completion("  "), 0);

    assertThatThrownBy(() -> gateway.complete("s", "u"))
        .isInstanceOf(LlmUnavailableException.class)
        .hasMessageContaining("empty");
  }

  @Test
  void the_breaker_opens_after_failed_calls_and_spares_the_endpoint() {
    LlmGateway gateway = gateway(r -> Reply.error(500), Duration.ofSeconds(30), 0, 2);

    for (int call = 0; call < 2; call++) {
      assertThatThrownBy(() -> gateway.complete("s", "u"))
          .isInstanceOf(LlmUnavailableException.class)
          .hasMessageContaining("LLM call failed");
    }
    assertThatThrownBy(() -> gateway.complete("s", "u"))
        .isInstanceOf(LlmUnavailableException.class)
        .hasMessageContaining("circuit breaker is open");

    assertThat(requests()).as("no request while the breaker is open").hasSize(2);
  }

  @Test
  void after_the_open_period_one_trial_call_decides() throws Exception {
    AtomicReference<Reply> reply = new AtomicReference<>(Reply.error(500));
    LlmGateway gateway = gateway(r -> reply.get(), Duration.ofSeconds(30), 0, 1);
    assertThatThrownBy(() -> gateway.complete("s", "u"))
        .isInstanceOf(LlmUnavailableException.class);

    // A failed trial opens the breaker again at once.
    clock.advance(OPEN_FOR);
    assertThatThrownBy(() -> gateway.complete("s", "u")).hasMessageContaining("LLM call failed");
    assertThatThrownBy(() -> gateway.complete("s", "u"))
        .hasMessageContaining("circuit breaker is open");
    assertThat(requests()).hasSize(2);

    // A successful trial closes it: the calls after it go out again.
    clock.advance(OPEN_FOR);
    reply.set(Reply.completion("Back."));
    assertThat(gateway.complete("s", "u")).isEqualTo("Back.");
    assertThat(gateway.complete("s", "u")).isEqualTo("Back.");
    assertThat(requests()).hasSize(4);
  }

  @Test
  void concurrent_calls_each_get_their_own_reply() throws Exception {
    LlmGateway gateway = gateway(r -> Reply.completion("echo: " + r.user()), 0);

    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Callable<String>> callers = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        String prompt = "question " + i;
        callers.add(() -> gateway.complete("s", prompt));
      }
      List<String> answers = new ArrayList<>();
      for (Future<String> answer : pool.invokeAll(callers)) {
        answers.add(answer.get());
      }
      assertThat(answers)
          .containsExactly(
              "echo: question 0",
              "echo: question 1",
              "echo: question 2",
              "echo: question 3",
              "echo: question 4",
              "echo: question 5",
              "echo: question 6",
              "echo: question 7");
    } finally {
      pool.shutdownNow();
    }
  }
}
