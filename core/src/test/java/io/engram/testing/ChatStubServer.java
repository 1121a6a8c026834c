package io.engram.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A local chat endpoint with scripted replies, for tests of the real client code where a real model
 * cannot give the reply a test needs (a paid API, a malformed, failing or missing answer). Each
 * subclass speaks one provider's wire format; this class receives a chat request, asks the
 * responder what to answer, keeps every request, and holds a reply that must come late or never.
 */
public abstract class ChatStubServer implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  /** Stands for "never": the reply is held until the server is closed. */
  private static final long UNTIL_CLOSED = Long.MAX_VALUE;

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

    /**
     * No answer at all while the server runs, as from a model that hangs: the client's own timeout
     * is what ends the call, with no delay for a test to choose or wait out.
     */
    public static Reply none() {
      return new Reply(200, UNTIL_CLOSED, "never sent");
    }

    /** The same reply, sent only after {@code millis} (or never, if the server closes first). */
    public Reply after(long millis) {
      return new Reply(status, millis, content);
    }
  }

  private final HttpServer server;
  private final ExecutorService executor;
  private final CountDownLatch closed = new CountDownLatch(1);
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final Function<Request, Reply> responder;

  protected ChatStubServer(String path, Function<Request, Reply> responder) {
    this.responder = responder;
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // A held reply must not hold up the next request.
    executor = Executors.newCachedThreadPool();
    server.setExecutor(executor);
    server.createContext(path, this::handle);
    server.start();
  }

  /** The base URL a client of this provider is configured with. */
  public abstract String baseUrl();

  /** The body of a successful reply carrying {@code content}. */
  protected abstract byte[] completion(Request request, String content) throws IOException;

  /** The body of an error reply. */
  protected abstract byte[] error(int status) throws IOException;

  /** {@code http://127.0.0.1:PORT}. */
  protected String origin() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
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
      if (reply.delayMillis() > 0 && held(reply.delayMillis())) {
        return;
      }
      byte[] out =
          reply.status() == 200 ? completion(request, reply.content()) : error(reply.status());
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(reply.status(), out.length);
      exchange.getResponseBody().write(out);
    }
  }

  /** Waits out a reply's delay; true when the server closed (or the thread was ended) first. */
  private boolean held(long millis) {
    try {
      return closed.await(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
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
    closed.countDown();
    server.stop(0);
    executor.shutdownNow();
  }
}
