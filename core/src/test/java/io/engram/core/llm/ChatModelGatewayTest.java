package io.engram.core.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import io.engram.core.config.EngramSettings;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Retry and breaker decisions of the gateway, with a scripted {@link ChatModel}. The real client
 * against a real OpenAI-compatible server is exercised by the API's LlmAnswerIT.
 */
class ChatModelGatewayTest {

  /** Answers each call with the next scripted outcome. */
  static final class ScriptedModel implements ChatModel {
    final Deque<Supplier<String>> script = new ArrayDeque<>();
    int calls;

    ScriptedModel then(Supplier<String> outcome) {
      script.add(outcome);
      return this;
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
      calls++;
      String text = script.isEmpty() ? "ok [1]" : script.poll().get();
      return ChatResponse.builder().aiMessage(AiMessage.from(text)).build();
    }
  }

  private static ChatModelGateway gateway(ChatModel model, int retries, int breakerFailures) {
    return new ChatModelGateway(
        model,
        "test:model",
        retries,
        Duration.ZERO,
        new CircuitBreaker(breakerFailures, Duration.ofMinutes(1), System::nanoTime));
  }

  @Test
  void retries_a_timeout_then_answers() throws Exception {
    var model =
        new ScriptedModel()
            .then(
                () -> {
                  throw new TimeoutException("slow");
                })
            .then(() -> "Coffee [1].");
    assertThat(gateway(model, 1, 5).complete("s", "u")).isEqualTo("Coffee [1].");
    assertThat(model.calls).isEqualTo(2);
  }

  @Test
  void does_not_retry_an_authentication_failure() {
    var model =
        new ScriptedModel()
            .then(
                () -> {
                  throw new AuthenticationException("bad key sk-secret");
                });
    assertThatThrownBy(() -> gateway(model, 3, 5).complete("s", "u"))
        .isInstanceOf(LlmUnavailableException.class)
        .hasMessageNotContaining("sk-secret");
    assertThat(model.calls).isEqualTo(1);
  }

  @Test
  void the_breaker_opens_after_failed_calls_and_stops_calling_the_model() {
    var model = new ScriptedModel();
    for (int i = 0; i < 4; i++) {
      model.then(
          () -> {
            throw new InternalServerException("500");
          });
    }
    var gateway = gateway(model, 1, 2);
    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> gateway.complete("s", "u"))
          .isInstanceOf(LlmUnavailableException.class)
          .hasMessageContaining("InternalServerException");
    }
    assertThat(model.calls).isEqualTo(4);
    assertThat(gateway.breakerState()).isEqualTo(CircuitBreaker.State.OPEN);
    assertThatThrownBy(() -> gateway.complete("s", "u"))
        .isInstanceOf(LlmUnavailableException.class)
        .hasMessageContaining("circuit breaker is open");
    assertThat(model.calls).as("no call while open").isEqualTo(4);
  }

  @Test
  void an_empty_reply_is_a_failure() {
    var model = new ScriptedModel().then(() -> "  ");
    assertThatThrownBy(() -> gateway(model, 0, 5).complete("s", "u"))
        .isInstanceOf(LlmUnavailableException.class)
        .hasMessageContaining("empty");
  }

  @Test
  void no_provider_means_no_gateway() {
    assertThat(ChatModelGateway.create(EngramSettings.defaults().llm())).isEmpty();
  }

  @Test
  void stop_sequences_cut_where_a_base_model_would_start_a_new_prompt() {
    assertThat(ChatModelGateway.STOP).contains("\nQuestion:");
    assertThat(List.copyOf(ChatModelGateway.STOP)).doesNotContain("\n");
  }
}
