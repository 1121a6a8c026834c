package io.engram.workers;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.engram.core.CoreServices;
import io.engram.core.tenant.ApiKeys;
import io.engram.core.tenant.MetricsReaders;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * The worker's small HTTP server: Prometheus metrics at {@code /metrics} and health for probes, on
 * the paths the API uses. The metrics name every tenant's collections: with {@code
 * ENGRAM_METRICS_ACCESS=key} (profile {@code prod}) they are served only to the scraper's token or
 * an operator's admin key, as the API's {@code /prometheus} ({@link MetricsReaders}). {@code
 * /health/liveness} is UP while the process serves HTTP at all; {@code /health/readiness} (and
 * {@code /health}) is UP when the worker polls its task queues and the database answers, and
 * otherwise 503 with the component that is down.
 */
public final class WorkerEndpoints implements AutoCloseable {

  /** Seconds the database has to answer a readiness check. */
  static final int DATABASE_TIMEOUT_SECONDS = 2;

  /** Threads serving requests: probes and the scraper at once. */
  private static final int THREADS = 4;

  /** Where database checks wait, so a request thread gives up after the timeout. */
  private static final ExecutorService CHECKS =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "worker-db-check");
            t.setDaemon(true);
            return t;
          });

  private static final byte[] REFUSED =
      ("the metrics name every tenant's collections: present the scraper's token"
              + " (ENGRAM_METRICS_TOKEN) or an admin key of tenant 'default' as a bearer token\n")
          .getBytes(UTF_8);

  private final HttpServer server;

  private WorkerEndpoints(HttpServer server) {
    this.server = server;
  }

  /** Serves {@code worker}'s metrics and health on {@code port} (0: any free port). */
  public static WorkerEndpoints start(EngramWorker worker, int port) throws IOException {
    CoreServices core = worker.core();
    return start(
        worker.registry(),
        MetricsReaders.of(core.settings().access().metrics(), new ApiKeys(core.jdbi())),
        worker::polling,
        core.dataSource(),
        port);
  }

  /**
   * @param readers whether a request presenting a bearer token (null for none) may read the metrics
   */
  static WorkerEndpoints start(
      PrometheusMeterRegistry registry,
      Predicate<String> readers,
      BooleanSupplier polling,
      DataSource database,
      int port)
      throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("0.0.0.0", port), 0);
    server.createContext(
        "/metrics",
        exchange -> {
          if (!readers.test(bearer(exchange))) {
            exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
            send(exchange, 401, "text/plain", REFUSED);
            return;
          }
          send(exchange, 200, "text/plain; version=0.0.4", registry.scrape().getBytes(UTF_8));
        });
    server.createContext(
        "/health",
        exchange -> {
          String path = exchange.getRequestURI().getPath();
          Map<String, Boolean> components = new LinkedHashMap<>();
          switch (path) {
            case "/health/liveness" -> {}
            case "/health", "/health/", "/health/readiness" -> {
              components.put("worker", polling.getAsBoolean());
              components.put("db", answers(database));
            }
            default -> {
              send(exchange, 404, "text/plain", "not found\n".getBytes(UTF_8));
              return;
            }
          }
          boolean up = !components.containsValue(false);
          send(exchange, up ? 200 : 503, "application/json", json(up, components));
        });
    // A few threads: a readiness check waiting on the database never holds up liveness or metrics.
    server.setExecutor(
        Executors.newFixedThreadPool(
            THREADS,
            r -> {
              Thread t = new Thread(r, "worker-endpoints");
              t.setDaemon(true);
              return t;
            }));
    server.start();
    return new WorkerEndpoints(server);
  }

  /** The bearer token of the request's {@code Authorization} header, or null. */
  private static String bearer(HttpExchange exchange) {
    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    return authorization.substring(7).strip();
  }

  /** The port it listens on. */
  public int port() {
    return server.getAddress().getPort();
  }

  /**
   * Whether the database answers within {@link #DATABASE_TIMEOUT_SECONDS}, taking a connection from
   * the pool included (the pool itself would wait its whole connection timeout).
   */
  private static boolean answers(DataSource database) {
    CompletableFuture<Boolean> check =
        CompletableFuture.supplyAsync(
            () -> {
              try (Connection c = database.getConnection()) {
                return c.isValid(DATABASE_TIMEOUT_SECONDS);
              } catch (Exception e) {
                return false;
              }
            },
            CHECKS);
    try {
      return check.get(DATABASE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException e) {
      return false;
    }
  }

  private static byte[] json(boolean up, Map<String, Boolean> components) {
    String details =
        components.entrySet().stream()
            .map(e -> "\"%s\":{\"status\":\"%s\"}".formatted(e.getKey(), status(e.getValue())))
            .collect(Collectors.joining(","));
    return "{\"status\":\"%s\",\"components\":{%s}}\n"
        .formatted(status(up), details)
        .getBytes(UTF_8);
  }

  private static String status(boolean up) {
    return up ? "UP" : "DOWN";
  }

  private static void send(HttpExchange exchange, int status, String type, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().add("Content-Type", type);
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
