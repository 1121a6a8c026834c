package io.engram.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.engram.core.config.EngramSettings;
import io.engram.testing.TestSettings;
import io.engram.workers.EngramWorker;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What the API's integration tests share: an API and a worker on a fresh database of the shared
 * test services, JSON calls, problems, waiting for runs.
 */
abstract class ApiTestSupport {
  protected static final ObjectMapper JSON = new ObjectMapper();

  /** The small, fast embedding model the integration tests index with. */
  protected static final String MODEL = TestSettings.MODEL;

  /**
   * Micronaut properties of an API on {@code dbUrl} (a database of the shared test PostgreSQL), the
   * shared Temporal dev server and a random port, plus {@code extra} (property names, e.g. {@code
   * engram.llm.provider}): the same settings a worker of {@link #startWorker} gets, set the way
   * Micronaut sets them.
   */
  protected static Map<String, String> serviceProperties(String dbUrl, Map<String, String> extra) {
    Map<String, String> properties = new HashMap<>();
    TestSettings.withTemporal(dbUrl, Map.of())
        .forEach(
            (key, value) -> properties.put(key.toLowerCase(Locale.ROOT).replace('_', '.'), value));
    properties.put("micronaut.server.port", "-1");
    properties.putAll(extra);
    return properties;
  }

  /** A real worker on the same database and Temporal server as the API under test. */
  protected static EngramWorker startWorker(String dbUrl) throws Exception {
    return startWorker(dbUrl, Map.of());
  }

  /** A real worker with {@code extra} settings (variable names), e.g. an LLM to answer with. */
  protected static EngramWorker startWorker(String dbUrl, Map<String, String> extra)
      throws Exception {
    return EngramWorker.start(EngramSettings.of(TestSettings.withTemporal(dbUrl, extra)));
  }

  private final HttpClient http = HttpClient.newHttpClient();

  /** Where the API under test listens. */
  protected abstract URI baseUri();

  protected JsonNode awaitCompletion(String workflowId) throws Exception {
    JsonNode status =
        await("ingestion " + workflowId + " ended")
            .atMost(Duration.ofMinutes(2))
            .pollInterval(Duration.ofMillis(200))
            .until(
                () -> get("/v1/ingestions/" + workflowId).json(),
                s -> !s.path("status").asText().equals("RUNNING"));
    assertThat(status.path("status").asText()).as(status.toString()).isEqualTo("COMPLETED");
    return status;
  }

  protected static void assertProblem(Reply reply, int status) throws IOException {
    assertThat(reply.status()).as(reply.body()).isEqualTo(status);
    assertThat(reply.contentType()).startsWith("application/problem+json");
    JsonNode body = reply.json();
    assertThat(body.path("status").asInt()).isEqualTo(status);
    assertThat(body.path("title").asText()).isNotBlank();
    assertThat(body.path("type").asText()).isNotBlank();
  }

  protected record Reply(int status, String contentType, String body) {
    JsonNode json() throws IOException {
      return JSON.readTree(body);
    }
  }

  protected Reply get(String path) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).GET().build());
  }

  protected Reply post(String path, Object body) throws Exception {
    return send(json(path, JSON.writeValueAsString(body)));
  }

  protected HttpRequest json(String path, String body) {
    return HttpRequest.newBuilder(uri(path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  protected Reply put(String path, byte[] body) throws Exception {
    return send(
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", "application/octet-stream")
            .PUT(HttpRequest.BodyPublishers.ofByteArray(body))
            .build());
  }

  /**
   * A request as the holder of API key {@code key} sends it ({@code Authorization: Bearer}); a null
   * key sends none. {@code body} is JSON (an object to write, or text), bytes, or null for none.
   */
  protected Reply call(String key, String method, String path, Object body) throws Exception {
    return reply(exchange(key, method, path, body));
  }

  /** As {@link #call}, with the whole response (its headers). */
  protected HttpResponse<String> exchange(String key, String method, String path, Object body)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path));
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    if (method.equals("GET")) {
      request.GET();
    } else if (body == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else if (body instanceof byte[] bytes) {
      request
          .header("Content-Type", "application/octet-stream")
          .method(method, HttpRequest.BodyPublishers.ofByteArray(bytes));
    } else {
      String text = body instanceof String t ? t : JSON.writeValueAsString(body);
      request
          .header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(text));
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static Reply reply(HttpResponse<String> response) {
    return new Reply(
        response.statusCode(),
        response.headers().firstValue("Content-Type").orElse(""),
        response.body());
  }

  protected Reply send(HttpRequest request) throws Exception {
    return reply(http.send(request, HttpResponse.BodyHandlers.ofString()));
  }

  private URI uri(String path) {
    return baseUri().resolve(path);
  }
}
