package io.engram.core.llm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.engram.testing.ChatStubServer;
import io.engram.testing.ChatStubServer.Reply;
import io.engram.testing.ChatStubServer.Request;
import io.engram.testing.OpenAiStubServer;
import java.time.Duration;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The gateway's OpenAI-compatible client (OpenAI, vLLM, a llama.cpp server). */
class OpenAiGatewayContractTest extends LlmGatewayContract {

  @Override
  protected ChatStubServer start(Function<Request, Reply> responder) {
    return OpenAiStubServer.start(responder);
  }

  @Override
  protected LlmSettings.Provider provider() {
    return LlmSettings.Provider.OPENAI;
  }

  @Test
  void the_budget_goes_out_in_openai_fields() throws Exception {
    gateway(r -> Reply.completion("ok"), Duration.ofSeconds(30), 0, 5).complete("s", "u");

    JsonNode body = requests().get(0).body();
    assertThat(body.path("max_tokens").asInt(body.path("max_completion_tokens").asInt()))
        .isEqualTo(64);
    assertThat(body.path("temperature").asDouble()).isZero();
    assertThat(body.path("stop").toString()).contains("\\nQuestion:");
  }
}
