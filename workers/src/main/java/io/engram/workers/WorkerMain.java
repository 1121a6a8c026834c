package io.engram.workers;

import com.sun.net.httpserver.HttpServer;
import com.uber.m3.tally.RootScopeBuilder;
import com.uber.m3.tally.Scope;
import com.zaxxer.hikari.HikariDataSource;
import io.engram.activities.evaluation.EvaluationActivitiesImpl;
import io.engram.activities.ingestion.IngestionActivitiesImpl;
import io.engram.activities.ingestion.IngestionMetrics;
import io.engram.core.config.EngramSettings;
import io.engram.core.db.Database;
import io.engram.core.embedding.CachedEmbedder;
import io.engram.core.embedding.EmbeddingModels;
import io.engram.core.eval.EvaluationService;
import io.engram.core.index.IndexVersions;
import io.engram.core.ingest.BlobStore;
import io.engram.core.ingest.DocumentReader;
import io.engram.core.ingest.IngestionService;
import io.engram.core.rerank.Rerankers;
import io.engram.core.retrieval.HybridRetriever;
import io.engram.core.retrieval.QueryEmbeddings;
import io.engram.core.retrieval.RetrievalOptions;
import io.engram.core.store.PgVectorChunkStore;
import io.engram.migrations.Migrations;
import io.engram.workflows.common.TaskQueues;
import io.engram.workflows.evaluation.EvaluationWorkflowImpl;
import io.engram.workflows.ingestion.IngestionWorkflowImpl;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.common.reporter.MicrometerClientStatsReporter;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker process: connects to PostgreSQL (migrating it if configured) and Temporal, and polls
 * the {@code ingest} and {@code training} task queues. Configuration comes from environment
 * variables (see README).
 */
public final class WorkerMain {
  private static final Logger log = LoggerFactory.getLogger(WorkerMain.class);

  /** Evaluation batches that may run at once; EvaluationWorkflowImpl starts at most two. */
  private static final int EVALUATION_BATCHES = 2;

  private final HikariDataSource dataSource;
  private final WorkflowServiceStubs service;
  private final WorkerFactory factory;
  private final PrometheusMeterRegistry registry;
  private final ExecutorService retrievalExecutor;

  private WorkerMain(
      HikariDataSource dataSource,
      WorkflowServiceStubs service,
      WorkerFactory factory,
      PrometheusMeterRegistry registry,
      ExecutorService retrievalExecutor) {
    this.dataSource = dataSource;
    this.service = service;
    this.factory = factory;
    this.registry = registry;
    this.retrievalExecutor = retrievalExecutor;
  }

  /** Builds and starts a worker for the given settings; {@link #close()} stops it. */
  public static WorkerMain start(EngramSettings settings) throws Exception {
    log.info("starting Engram worker with {}", settings);
    HikariDataSource dataSource = Database.connect(settings, "engram-worker", 8);
    if (settings.migrateOnStart()) {
      int applied = Migrations.migrate(dataSource);
      log.info("database schema up to date ({} migrations applied)", applied);
    }
    IndexVersions indexVersions = new IndexVersions(dataSource);
    var champion =
        indexVersions.ensureChampion(
            settings.embeddingModel(), settings.chunkSize(), settings.chunkOverlap());
    log.info("champion index version: {}", champion);

    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Map<String, CachedEmbedder> embedders = new ConcurrentHashMap<>();
    IngestionService ingestion =
        new IngestionService(
            dataSource,
            indexVersions,
            new BlobStore(dataSource),
            new DocumentReader(settings.maxDocumentBytes()),
            model ->
                embedders.computeIfAbsent(
                    model, m -> new CachedEmbedder(dataSource, m, EmbeddingModels.get(m))));
    // Load the champion's model now rather than inside the first activity, whose heartbeat
    // timeout would otherwise have to cover the model load.
    EmbeddingModels.get(champion.embeddingModel());

    Scope metrics =
        new RootScopeBuilder()
            .reporter(new MicrometerClientStatsReporter(registry))
            .reportEvery(com.uber.m3.util.Duration.ofSeconds(10));
    WorkflowServiceStubs service =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder()
                .setTarget(settings.temporalAddress())
                .setMetricsScope(metrics)
                .build());
    WorkflowClient client =
        WorkflowClient.newInstance(
            service,
            WorkflowClientOptions.newBuilder().setNamespace(settings.temporalNamespace()).build());
    WorkerFactory factory = WorkerFactory.newInstance(client);
    Worker worker =
        factory.newWorker(
            TaskQueues.INGEST,
            WorkerOptions.newBuilder()
                // Two batches run at once (see IngestionWorkflowImpl); room for discovery beside
                // them.
                .setMaxConcurrentActivityExecutionSize(4)
                .build());
    worker.registerWorkflowImplementationTypes(IngestionWorkflowImpl.class);
    worker.registerActivitiesImplementations(
        new IngestionActivitiesImpl(ingestion, new IngestionMetrics(registry)));

    // Evaluation runs the query path's retrieval with the query API's settings, in this process.
    ExecutorService retrievalExecutor =
        Executors.newFixedThreadPool(
            EVALUATION_BATCHES,
            task -> {
              Thread thread = new Thread(task, "engram-eval-lexical");
              thread.setDaemon(true);
              return thread;
            });
    EvaluationService evaluation =
        new EvaluationService(
            dataSource,
            indexVersions,
            new BlobStore(dataSource),
            retriever(indexVersions, new PgVectorChunkStore(dataSource), retrievalExecutor),
            RetrievalOptions.fromEnvironment(System.getenv(), EvaluationService.DEPTH));
    Worker training =
        factory.newWorker(
            TaskQueues.TRAINING,
            WorkerOptions.newBuilder()
                // The evaluation batches in flight (see EvaluationWorkflowImpl), plus room for
                // the prepare and summary steps.
                .setMaxConcurrentActivityExecutionSize(EVALUATION_BATCHES + 2)
                .build());
    training.registerWorkflowImplementationTypes(EvaluationWorkflowImpl.class);
    training.registerActivitiesImplementations(new EvaluationActivitiesImpl(evaluation));

    factory.start();
    log.info(
        "worker polling task queues '{}' and '{}' at {}",
        TaskQueues.INGEST,
        TaskQueues.TRAINING,
        settings.temporalAddress());
    return new WorkerMain(dataSource, service, factory, registry, retrievalExecutor);
  }

  /**
   * The retriever evaluations measure: the same class and settings as {@code POST /v1/query}. Its
   * query-embedding cache is off, so every run pays for embedding each query as a first-time caller
   * would, and a repeated evaluation reports the same latency. The reranker is chosen from the same
   * variable as the API's ({@code ENGRAM_RERANKER}).
   */
  private static HybridRetriever retriever(
      IndexVersions indexVersions, PgVectorChunkStore store, ExecutorService executor) {
    return new HybridRetriever(
        indexVersions,
        store,
        executor,
        new QueryEmbeddings(0),
        Rerankers.fromEnvironment(System.getenv()));
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public void close() {
    factory.shutdown();
    factory.awaitTermination(30, TimeUnit.SECONDS);
    retrievalExecutor.shutdownNow();
    service.shutdown();
    dataSource.close();
  }

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
      System.out.println(
          """
          usage: engram-worker
            Runs the Engram Temporal worker (task queues 'ingest' and 'training').
          environment:
            ENGRAM_DB_URL, ENGRAM_DB_USER, ENGRAM_DB_PASSWORD   PostgreSQL with pgvector
            TEMPORAL_ADDRESS (127.0.0.1:7233), TEMPORAL_NAMESPACE (default)
            ENGRAM_EMBEDDING_MODEL (bge-small-en-v1.5-q), ENGRAM_CHUNK_SIZE (1024), ENGRAM_CHUNK_OVERLAP (200)
            ENGRAM_MAX_DOCUMENT_BYTES, ENGRAM_MIGRATE_ON_START (true)
            ENGRAM_RETRIEVAL_*   retrieval settings of evaluations, as for the API (see README)
            ENGRAM_WORKER_METRICS_PORT (9464; 0 disables the Prometheus endpoint)""");
      return;
    }
    EngramSettings settings = EngramSettings.fromEnvironment(System.getenv());
    WorkerMain worker = start(settings);
    int metricsPort =
        Integer.parseInt(System.getenv().getOrDefault("ENGRAM_WORKER_METRICS_PORT", "9464"));
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
