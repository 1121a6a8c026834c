package io.engram.core.llm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.engram.testing.ChatStubServer;
import io.engram.testing.ChatStubServer.Reply;
import io.engram.testing.ChatStubServer.Request;
import io.engram.testing.OllamaStubServer;
import java.time.Duration;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The gateway's Ollama client. */
class OllamaGatewayContractTest extends LlmGatewayContract {

  @Override
  protected ChatStubServer start(Function<Request, Reply> responder) {
    return OllamaStubServer.start(responder);
  }

  @Override
  protected LlmSettings.Provider provider() {
    return LlmSettings.Provider.OLLAMA;
  }

  @Test
  void the_budget_goes_out_in_ollama_options_and_the_reply_is_not_streamed() throws Exception {
    gateway(r -> Reply.completion("ok"), Duration.ofSeconds(30), 0, 5).complete("s", "u");

    JsonNode body = requests().get(0).body();
    assertThat(body.path("stream").asBoolean(true)).isFalse();
    assertThat(body.path("options").path("num_predict").asInt()).isEqualTo(64);
    assertThat(body.path("options").path("temperature").asDouble()).isZero();
    assertThat(body.path("options").path("stop").toString()).contains("\\nQuestion:");
  }
}
