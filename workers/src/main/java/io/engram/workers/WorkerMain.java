package io.engram.workers;

import io.engram.core.config.EngramSettings;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker process: reads the settings ({@code ./engram config} prints them), starts an {@link
 * EngramWorker}, serves its Prometheus metrics and health ({@link WorkerEndpoints}), and stops it
 * on SIGTERM.
 */
public final class WorkerMain {
  private static final Logger log = LoggerFactory.getLogger(WorkerMain.class);

  private WorkerMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
      System.out.println(
          """
          usage: engram-worker
            Runs the Engram Temporal worker (task queues 'ingest', 'training', 'maintenance', 'llm', or
            those ENGRAM_WORKER_TASK_QUEUES names) and, when it polls 'maintenance', registers the
            memory lifecycle's schedules (engram-promotion, engram-salience, engram-ttl-cleanup,
            engram-session-cleanup, engram-incremental-ingest). Metrics and health (/metrics,
            /health/liveness, /health/readiness) on ENGRAM_WORKER_METRICS_PORT.
          settings:
            ENGRAM_PROFILE (dev|test|prod) selects the defaults; ENGRAM_CONFIG_FILE names an optional
            file of KEY=value lines; environment variables override both. './engram config' prints
            every setting with its effective value and where it came from (README, Configuration).""");
      return;
    }
    EngramSettings settings = EngramSettings.fromEnvironment();
    EngramWorker worker;
    try {
      worker = EngramWorker.start(settings);
    } catch (Exception | Error e) {
      log.error("the worker did not start: {}", e.toString(), e);
      // Threads a library left behind must not keep a worker that cannot work alive.
      System.exit(1);
      return;
    }
    int port = settings.worker().metricsPort();
    if (port > 0) {
      WorkerEndpoints.start(worker, port);
      log.info("worker metrics on http://127.0.0.1:{}/metrics, health on /health", port);
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
}
