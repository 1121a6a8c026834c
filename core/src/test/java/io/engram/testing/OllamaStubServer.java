package io.engram.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * A local Ollama chat endpoint with scripted replies: it answers {@code POST /api/chat} (not
 * streamed) with a finished chat response, or Ollama's error body.
 */
public final class OllamaStubServer extends ChatStubServer {

  private OllamaStubServer(Function<Request, Reply> responder) {
    super("/api/chat", responder);
  }

  public static OllamaStubServer start(Function<Request, Reply> responder) {
    return new OllamaStubServer(responder);
  }

  /** The base URL a client is configured with: the server's origin, without a path. */
  @Override
  public String baseUrl() {
    return origin();
  }

  @Override
  protected byte[] completion(Request request, String content) throws IOException {
    ObjectNode response = JSON.createObjectNode();
    response.put("model", request.body().path("model").asText("stub"));
    response.put("created_at", "2026-01-01T00:00:00Z");
    response.putObject("message").put("role", "assistant").put("content", content);
    response.put("done", true);
    response.put("done_reason", "stop");
    response.put("prompt_eval_count", 1);
    response.put("eval_count", 1);
    return JSON.writeValueAsBytes(response);
  }

  @Override
  protected byte[] error(int status) {
    return "{\"error\":\"stub failure\"}".getBytes(StandardCharsets.UTF_8);
  }
}
