package io.engram.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.engram.contract.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A stand-in for the Engram API at the HTTP boundary, for what a real API cannot be made to do on
 * demand: answer slowly, fail with a proxy's error page, report a component down. Its replies are
 * the contract's records (or raw text for what is not the API), so it cannot invent a field the API
 * does not send; every command's behaviour against the real API is tested in the {@code *IT}
 * classes.
 */
final class FakeApi implements AutoCloseable {

  /** One request as the server received it. */
  record Request(String method, String path, String contentType, byte[] body) {
    JsonNode json() {
      try {
        return EngramClient.JSON.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** What a route answers, with {@code headers} beside its content type. */
  record Response(int status, String contentType, String body, Map<String, String> headers) {
    Response(int status, String contentType, String body) {
      this(status, contentType, body, Map.of());
    }

    /** This answer with one more header, e.g. {@code Retry-After}. */
    Response withHeader(String name, String value) {
      Map<String, String> all = new LinkedHashMap<>(headers);
      all.put(name, value);
      return new Response(status, contentType, body, Map.copyOf(all));
    }

    /** A contract record as the API writes it. */
    static Response json(int status, Object record) {
      try {
        return new Response(
            status, "application/json", EngramClient.JSON.writeValueAsString(record));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    static Response problem(int status, String title, String detail) {
      try {
        return new Response(
            status,
            Problem.MEDIA_TYPE,
            EngramClient.JSON.writeValueAsString(
                new Problem("about:blank", title, status, detail)));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private record Route(String method, String pathPattern, Function<Request, Response> handler) {}

  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(16);
  private final List<Route> routes = new CopyOnWriteArrayList<>();
  private final List<Request> requests = new CopyOnWriteArrayList<>();

  FakeApi() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Answers requests whose method matches and whose path matches the regular expression. */
  FakeApi on(String method, String pathPattern, Function<Request, Response> handler) {
    routes.add(new Route(method, pathPattern, handler));
    return this;
  }

  List<Request> requests() {
    return List.copyOf(requests);
  }

  List<Request> requests(String method, String pathPattern) {
    return requests.stream()
        .filter(r -> r.method().equals(method) && r.path().matches(pathPattern))
        .toList();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      Request request =
          new Request(
              exchange.getRequestMethod(),
              exchange.getRequestURI().getRawPath(),
              exchange.getRequestHeaders().getFirst("Content-Type"),
              body);
      requests.add(request);
      Response response =
          routes.stream()
              .filter(r -> r.method().equals(request.method()))
              .filter(r -> request.path().matches(r.pathPattern()))
              .findFirst()
              .map(r -> r.handler().apply(request))
              .orElse(Response.problem(404, "Not Found", "no route for " + request.path()));
      byte[] bytes = response.body().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", response.contentType());
      response.headers().forEach(exchange.getResponseHeaders()::set);
      exchange.sendResponseHeaders(response.status(), bytes.length == 0 ? -1 : bytes.length);
      if (bytes.length > 0) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(bytes);
        }
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
