package io.engram.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * A local OpenAI-compatible chat endpoint with scripted replies: it answers {@code POST
 * /v1/chat/completions} with a chat completion, or an OpenAI error body.
 */
public final class OpenAiStubServer extends ChatStubServer {
  private int completions;

  private OpenAiStubServer(Function<Request, Reply> responder) {
    super("/v1/chat/completions", responder);
  }

  public static OpenAiStubServer start(Function<Request, Reply> responder) {
    return new OpenAiStubServer(responder);
  }

  /** The base URL a client is configured with, ending in {@code /v1}. */
  @Override
  public String baseUrl() {
    return origin() + "/v1";
  }

  @Override
  protected synchronized byte[] completion(Request request, String content) throws IOException {
    ObjectNode completion = JSON.createObjectNode();
    completion.put("id", "chatcmpl-stub-" + ++completions);
    completion.put("object", "chat.completion");
    completion.put("created", 0);
    completion.put("model", request.body().path("model").asText("stub"));
    ObjectNode choice = completion.putArray("choices").addObject();
    choice.put("index", 0);
    choice.putObject("message").put("role", "assistant").put("content", content);
    choice.put("finish_reason", "stop");
    completion
        .putObject("usage")
        .put("prompt_tokens", 1)
        .put("completion_tokens", 1)
        .put("total_tokens", 2);
    return JSON.writeValueAsBytes(completion);
  }

  @Override
  protected byte[] error(int status) {
    return "{\"error\":{\"message\":\"stub failure\",\"type\":\"server_error\"}}"
        .getBytes(StandardCharsets.UTF_8);
  }
}
