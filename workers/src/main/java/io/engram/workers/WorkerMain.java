package io.engram.workers;

import com.sun.net.httpserver.HttpServer;
import io.engram.core.config.EngramSettings;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker process: reads the settings ({@code ./engram config} prints them), starts an {@link
 * EngramWorker}, serves its Prometheus metrics, and stops it on SIGTERM.
 */
public final class WorkerMain {
  private static final Logger log = LoggerFactory.getLogger(WorkerMain.class);

  private WorkerMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
      System.out.println(
          """
          usage: engram-worker
            Runs the Engram Temporal worker (task queues 'ingest', 'training', 'maintenance', 'llm') and
            registers the memory lifecycle's schedules (engram-promotion, engram-salience,
            engram-ttl-cleanup, engram-session-cleanup, engram-incremental-ingest).
          settings:
            ENGRAM_PROFILE (dev|test|prod) selects the defaults; ENGRAM_CONFIG_FILE names an optional
            file of KEY=value lines; environment variables override both. './engram config' prints
            every setting with its effective value and where it came from (README, Configuration).""");
      return;
    }
    EngramSettings settings = EngramSettings.fromEnvironment();
    EngramWorker worker = EngramWorker.start(settings);
    int metricsPort = settings.worker().metricsPort();
    if (metricsPort > 0) {
      serveMetrics(worker.registry(), metricsPort);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log.info("stopping worker");
                  worker.close();
                  stopped.countDown();
                }));
    stopped.await();
  }

  private static void serveMetrics(PrometheusMeterRegistry registry, int port) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("0.0.0.0", port), 0);
    server.createContext(
        "/metrics",
        exchange -> {
          byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.setExecutor(null);
    server.start();
    log.info("worker metrics on http://127.0.0.1:{}/metrics", port);
  }
}
