package io.engram.core.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.exception.AuthenticationException;
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
 * What is particular to the gateway, with a scripted {@link ChatModel}: what its messages leave
 * out, and how it is configured. What every gateway promises (replies, retries, timeouts, the
 * breaker) is checked through each provider's real client by {@link LlmGatewayContract}.
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
        new CircuitBreaker(breakerFailures, Duration.ofMinutes(1), new ManualClock()));
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
  void no_provider_means_no_gateway() {
    assertThat(ChatModelGateway.create(EngramSettings.defaults().llm())).isEmpty();
  }

  @Test
  void stop_sequences_cut_where_a_base_model_would_start_a_new_prompt() {
    assertThat(ChatModelGateway.STOP).contains("\nQuestion:");
    assertThat(List.copyOf(ChatModelGateway.STOP)).doesNotContain("\n");
  }
}
