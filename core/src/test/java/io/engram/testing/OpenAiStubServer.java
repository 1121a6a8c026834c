package io.engram.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A local OpenAI-compatible chat endpoint with scripted replies, for tests of the real client code
 * where a real model cannot give the reply a test needs (a paid API, a malformed or slow answer).
 * It answers {@code POST /v1/chat/completions} with whatever the responder returns for the request,
 * and keeps every request.
 */
public final class OpenAiStubServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A chat request as received: its system and user messages, and the whole body. */
  public record Request(String system, String user, JsonNode body) {}

  /** What the endpoint answers: a completion with {@code content}, or an error status. */
  public record Reply(int status, long delayMillis, String content) {
    public static Reply completion(String content) {
      return new Reply(200, 0, content);
    }

    public static Reply error(int status) {
      return new Reply(status, 0, null);
    }

    /** The same reply, sent only after {@code millis}. */
    public Reply after(long millis) {
      return new Reply(status, millis, content);
    }
  }

  private final HttpServer server;
  private final ExecutorService executor;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final Function<Request, Reply> responder;

  private OpenAiStubServer(Function<Request, Reply> responder) throws IOException {
    this.responder = responder;
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    // A slow reply must not hold up the next request.
    executor = Executors.newCachedThreadPool();
    server.setExecutor(executor);
    server.createContext("/v1/chat/completions", this::handle);
    server.start();
  }

  public static OpenAiStubServer start(Function<Request, Reply> responder) {
    try {
      return new OpenAiStubServer(responder);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The base URL a client is configured with, ending in {@code /v1}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
  }

  /** Every chat request received so far, in order. */
  public List<Request> requests() {
    return List.copyOf(requests);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      JsonNode body = JSON.readTree(exchange.getRequestBody());
      String system = "";
      String user = "";
      for (JsonNode message : body.path("messages")) {
        String text = text(message.path("content"));
        switch (message.path("role").asText()) {
          case "system" -> system = text;
          case "user" -> user = text;
          default -> {}
        }
      }
      Request request = new Request(system, user, body);
      requests.add(request);
      Reply reply = responder.apply(request);
      if (reply.delayMillis() > 0) {
        try {
          Thread.sleep(reply.delayMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      byte[] out;
      if (reply.status() == 200) {
        ObjectNode completion = JSON.createObjectNode();
        completion.put("id", "chatcmpl-stub-" + requests.size());
        completion.put("object", "chat.completion");
        completion.put("created", 0);
        completion.put("model", body.path("model").asText("stub"));
        ObjectNode choice = completion.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", reply.content());
        choice.put("finish_reason", "stop");
        completion
            .putObject("usage")
            .put("prompt_tokens", 1)
            .put("completion_tokens", 1)
            .put("total_tokens", 2);
        out = JSON.writeValueAsBytes(completion);
      } else {
        out =
            "{\"error\":{\"message\":\"stub failure\",\"type\":\"server_error\"}}"
                .getBytes(StandardCharsets.UTF_8);
      }
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(reply.status(), out.length);
      exchange.getResponseBody().write(out);
    }
  }

  /** A message's text: a plain string, or the text parts of a content array. */
  private static String text(JsonNode content) {
    if (content.isTextual()) {
      return content.asText();
    }
    StringBuilder sb = new StringBuilder();
    for (JsonNode part : content) {
      sb.append(part.path("text").asText());
    }
    return sb.toString();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
