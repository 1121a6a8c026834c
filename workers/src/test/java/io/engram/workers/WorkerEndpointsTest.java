package io.engram.workers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The worker's probes and metrics, over HTTP, with the worker's state and database stubbed. */
class WorkerEndpointsTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private final AtomicBoolean polling = new AtomicBoolean(true);
  private final DataSource database = mock(DataSource.class);
  private final Connection connection = mock(Connection.class);
  private WorkerEndpoints endpoints;

  @BeforeEach
  void start() throws Exception {
    when(database.getConnection()).thenReturn(connection);
    when(connection.isValid(WorkerEndpoints.DATABASE_TIMEOUT_SECONDS)).thenReturn(true);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.counter("engram_probe_test").increment();
    endpoints = WorkerEndpoints.start(registry, bearer -> true, polling::get, database, 0);
  }

  @AfterEach
  void stop() {
    endpoints.close();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoints.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void ready_when_the_worker_polls_and_the_database_answers() throws Exception {
    for (String path : new String[] {"/health", "/health/readiness"}) {
      HttpResponse<String> r = get(path);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body())
          .isEqualTo(
              "{\"status\":\"UP\",\"components\":{\"worker\":{\"status\":\"UP\"},"
                  + "\"db\":{\"status\":\"UP\"}}}\n");
    }
  }

  @Test
  void not_ready_while_the_database_does_not_answer_but_still_alive() throws Exception {
    when(database.getConnection()).thenThrow(new SQLException("connection refused"));
    HttpResponse<String> readiness = get("/health/readiness");
    assertThat(readiness.statusCode()).isEqualTo(503);
    assertThat(readiness.body())
        .contains("\"status\":\"DOWN\"", "\"db\":{\"status\":\"DOWN\"}")
        .contains("\"worker\":{\"status\":\"UP\"}");
    HttpResponse<String> liveness = get("/health/liveness");
    assertThat(liveness.statusCode()).isEqualTo(200);
    assertThat(liveness.body()).isEqualTo("{\"status\":\"UP\",\"components\":{}}\n");
  }

  @Test
  @Timeout(60)
  void a_database_that_hangs_makes_readiness_down_and_never_holds_up_liveness() throws Exception {
    CountDownLatch released = new CountDownLatch(1);
    when(database.getConnection())
        .thenAnswer(
            invocation -> {
              released.await(); // a pool waiting for a connection that does not come
              return connection;
            });
    try {
      CompletableFuture<HttpResponse<String>> readiness =
          http.sendAsync(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + endpoints.port() + "/health/readiness"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      // While the readiness check waits, liveness and metrics answer.
      assertThat(get("/health/liveness").statusCode()).isEqualTo(200);
      assertThat(get("/metrics").statusCode()).isEqualTo(200);
      // The check gives up after its timeout instead of the pool's.
      HttpResponse<String> answered = readiness.get(30, TimeUnit.SECONDS);
      assertThat(answered.statusCode()).isEqualTo(503);
      assertThat(answered.body()).contains("\"db\":{\"status\":\"DOWN\"}");
    } finally {
      released.countDown();
    }
  }

  @Test
  void not_ready_once_the_worker_stops_polling() throws Exception {
    polling.set(false);
    HttpResponse<String> r = get("/health/readiness");
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).contains("\"worker\":{\"status\":\"DOWN\"}");
    assertThat(get("/health/liveness").statusCode()).isEqualTo(200);
  }

  @Test
  void keyed_metrics_are_served_to_an_admitted_bearer_only_and_probes_stay_open() throws Exception {
    String token = "t".repeat(24);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.counter("engram_keyed_test", "collection", "acme~notes").increment();
    try (WorkerEndpoints keyed =
        WorkerEndpoints.start(registry, token::equals, polling::get, database, 0)) {
      String base = "http://127.0.0.1:" + keyed.port();
      HttpResponse<String> none =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(none.statusCode()).isEqualTo(401);
      assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
      assertThat(none.body()).contains("ENGRAM_METRICS_TOKEN").doesNotContain("acme");
      for (String authorization : new String[] {"Bearer wrong", "Basic " + token, token}) {
        HttpResponse<String> refused =
            http.send(
                HttpRequest.newBuilder(URI.create(base + "/metrics"))
                    .header("Authorization", authorization)
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).as(authorization).isEqualTo(401);
      }
      HttpResponse<String> admitted =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/metrics"))
                  .header("Authorization", "bearer  " + token)
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(admitted.statusCode()).isEqualTo(200);
      assertThat(admitted.body()).contains("collection=\"acme~notes\"");
      // Kubernetes' probes carry no token.
      HttpResponse<String> liveness =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/health/liveness")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(liveness.statusCode()).isEqualTo(200);
    }
  }

  @Test
  void serves_prometheus_metrics_and_nothing_else() throws Exception {
    HttpResponse<String> metrics = get("/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body()).contains("engram_probe_test_total 1.0");
    assertThat(get("/health/startup").statusCode()).isEqualTo(404);
  }
}
