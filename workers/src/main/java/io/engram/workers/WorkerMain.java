package io.engram.workers;

import com.sun.net.httpserver.HttpServer;
import com.uber.m3.tally.RootScopeBuilder;
import com.uber.m3.tally.Scope;
import com.zaxxer.hikari.HikariDataSource;
import io.engram.activities.evaluation.AnswerEvaluationActivitiesImpl;
import io.engram.activities.evaluation.EvaluationActivitiesImpl;
import io.engram.activities.ingestion.IngestionActivitiesImpl;
import io.engram.activities.ingestion.IngestionMetrics;
import io.engram.activities.memory.DistillationActivitiesImpl;
import io.engram.activities.memory.MaintenanceActivitiesImpl;
import io.engram.activities.memory.MemoryMetrics;
import io.engram.activities.memory.PromotionActivitiesImpl;
import io.engram.core.config.EngramSettings;
import io.engram.core.db.Database;
import io.engram.core.db.EngramJdbi;
import io.engram.core.embedding.CachedEmbedder;
import io.engram.core.embedding.EmbeddingModels;
import io.engram.core.eval.AnswerEvaluation;
import io.engram.core.eval.EvaluationService;
import io.engram.core.index.IndexVersions;
import io.engram.core.ingest.BlobStore;
import io.engram.core.ingest.DocumentReader;
import io.engram.core.ingest.IngestionService;
import io.engram.core.llm.AnswerGenerator;
import io.engram.core.llm.ChatModelGateway;
import io.engram.core.llm.LlmGateway;
import io.engram.core.llm.LlmSettings;
import io.engram.core.memory.Distiller;
import io.engram.core.memory.EpisodicMemory;
import io.engram.core.memory.FactExtraction;
import io.engram.core.memory.FactExtractor;
import io.engram.core.memory.LocalFactExtractor;
import io.engram.core.memory.MemoryMaintenance;
import io.engram.core.memory.MemorySettings;
import io.engram.core.rerank.Rerankers;
import io.engram.core.retrieval.HybridRetriever;
import io.engram.core.retrieval.QueryEmbeddings;
import io.engram.core.retrieval.RetrievalOptions;
import io.engram.core.store.PgVectorChunkStore;
import io.engram.migrations.Migrations;
import io.engram.workflows.common.EngramSearchAttributes;
import io.engram.workflows.common.TaskQueues;
import io.engram.workflows.evaluation.EvaluationWorkflowImpl;
import io.engram.workflows.ingestion.IngestionWorkflowImpl;
import io.engram.workflows.memory.DistillationWorkflowImpl;
import io.engram.workflows.memory.IncrementalIngestWorkflowImpl;
import io.engram.workflows.memory.MaintenanceWorkflowImpl;
import io.engram.workflows.memory.PromotionWorkflowImpl;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleClientOptions;
import io.temporal.common.reporter.MicrometerClientStatsReporter;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker process: connects to PostgreSQL (migrating it if configured) and Temporal, polls the
 * {@code ingest}, {@code training}, {@code maintenance} and {@code llm} task queues, and registers
 * the memory lifecycle's schedules. Configuration comes from environment variables (see README).
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

  /**
   * Builds and starts a worker for the given settings, with the memory, LLM and fact extraction
   * settings of the environment; {@link #close()} stops it.
   */
  public static WorkerMain start(EngramSettings settings) throws Exception {
    return start(
        settings,
        MemorySettings.fromEnvironment(System.getenv()),
        LlmSettings.fromEnvironment(System.getenv()),
        FactExtraction.fromEnvironment(System.getenv()));
  }

  /**
   * Builds and starts a worker whose fact extraction uses the LLM when one is configured; {@link
   * #close()} stops it.
   */
  public static WorkerMain start(EngramSettings settings, MemorySettings memory, LlmSettings llm)
      throws Exception {
    return start(settings, memory, llm, FactExtraction.AUTO);
  }

  /**
   * Builds and starts a worker; {@link #close()} stops it.
   *
   * @param llm the LLM the evaluation's answer tier asks, and fact extraction if {@code extraction}
   *     says so
   */
  public static WorkerMain start(
      EngramSettings settings, MemorySettings memory, LlmSettings llm, FactExtraction extraction)
      throws Exception {
    log.info("starting Engram worker with {} (memory profile {})", settings, memory.profile());
    HikariDataSource dataSource = Database.connect(settings, "engram-worker", 8);
    if (settings.migrateOnStart()) {
      int applied = Migrations.migrate(dataSource);
      log.info("database schema up to date ({} migrations applied)", applied);
    }
    Jdbi jdbi = EngramJdbi.create(dataSource);
    IndexVersions indexVersions = new IndexVersions(jdbi);
    var champion =
        indexVersions.ensureChampion(
            settings.embeddingModel(), settings.chunkSize(), settings.chunkOverlap());
    log.info("champion index version: {}", champion);

    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Map<String, CachedEmbedder> embedders = new ConcurrentHashMap<>();
    IngestionService ingestion =
        new IngestionService(
            jdbi,
            indexVersions,
            new BlobStore(jdbi),
            new DocumentReader(settings.maxDocumentBytes()),
            model ->
                embedders.computeIfAbsent(
                    model, m -> new CachedEmbedder(jdbi, m, EmbeddingModels.get(m))));
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
    HybridRetriever evaluationRetriever =
        retriever(indexVersions, new PgVectorChunkStore(jdbi), retrievalExecutor);
    EvaluationService evaluation =
        new EvaluationService(
            jdbi,
            indexVersions,
            new BlobStore(jdbi),
            evaluationRetriever,
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

    MemoryMetrics memoryMetrics = new MemoryMetrics(registry);
    MemoryMaintenance maintenance = new MemoryMaintenance(jdbi, memory);
    Optional<LlmGateway> gateway = ChatModelGateway.create(llm);
    FactExtractor local = new LocalFactExtractor();
    FactExtractor extractor = extraction.choose(gateway, local);
    log.info("fact extraction: {} ({})", extractor.name(), extraction);
    DistillationActivitiesImpl distillation =
        new DistillationActivitiesImpl(
            new Distiller(
                jdbi,
                new EpisodicMemory(jdbi, memory),
                extractor,
                local,
                embedders.computeIfAbsent(
                    champion.embeddingModel(),
                    m -> new CachedEmbedder(jdbi, m, EmbeddingModels.get(m)))),
            memoryMetrics);
    Worker maintenanceWorker =
        factory.newWorker(
            TaskQueues.MAINTENANCE,
            // Maintenance is batch SQL: a few at a time keep the database pool free for ingestion.
            WorkerOptions.newBuilder().setMaxConcurrentActivityExecutionSize(4).build());
    maintenanceWorker.registerWorkflowImplementationTypes(
        DistillationWorkflowImpl.class,
        PromotionWorkflowImpl.class,
        MaintenanceWorkflowImpl.class,
        IncrementalIngestWorkflowImpl.class);
    maintenanceWorker.registerActivitiesImplementations(
        distillation,
        new PromotionActivitiesImpl(maintenance, memoryMetrics),
        new MaintenanceActivitiesImpl(maintenance, memoryMetrics, memory.maintenanceBatchSize()));
    Worker llmWorker =
        factory.newWorker(
            TaskQueues.LLM,
            // Extraction may wait on an LLM endpoint; two at a time is what a small local model
            // serves without queueing requests behind each other.
            WorkerOptions.newBuilder().setMaxConcurrentActivityExecutionSize(2).build());
    // The evaluation's advisory answer tier asks the same LLM, from the same retrieval as its
    // retrieval batches; without an LLM its activities fail for good with the reason.
    AnswerEvaluation answers =
        new AnswerEvaluation(
            evaluation.store(),
            indexVersions,
            evaluationRetriever,
            gateway.map(AnswerGenerator::new).orElse(null));
    log.info(
        "evaluation answers: {}",
        answers.model().orElse("none (no LLM configured for the worker)"));
    llmWorker.registerActivitiesImplementations(
        distillation, new AnswerEvaluationActivitiesImpl(answers));

    ensureSearchAttributes(settings);
    factory.start();
    log.info(
        "worker polling task queues {} at {}",
        List.of(TaskQueues.INGEST, TaskQueues.TRAINING, TaskQueues.MAINTENANCE, TaskQueues.LLM),
        settings.temporalAddress());
    new ScheduleRegistrar(
            ScheduleClient.newInstance(
                service,
                ScheduleClientOptions.newBuilder()
                    .setNamespace(settings.temporalNamespace())
                    .build()),
            memory)
        .register();
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

  /**
   * Registers the custom search attributes the workflows set, when the server lacks them (the dev
   * server started by {@code ./engram up} has them already): setting an unregistered attribute
   * fails the workflow task forever. A server that refuses (no operator permission) is logged and
   * left to its operator.
   */
  static void ensureSearchAttributes(EngramSettings settings) {
    OperatorServiceStubs operator =
        OperatorServiceStubs.newServiceStubs(
            OperatorServiceStubsOptions.newBuilder()
                .setTarget(settings.temporalAddress())
                .validateAndBuildWithDefaults());
    try {
      Map<String, IndexedValueType> existing =
          operator
              .blockingStub()
              .listSearchAttributes(
                  ListSearchAttributesRequest.newBuilder()
                      .setNamespace(settings.temporalNamespace())
                      .build())
              .getCustomAttributesMap();
      Map<String, IndexedValueType> missing = new LinkedHashMap<>();
      EngramSearchAttributes.ALL.forEach(
          (name, type) -> {
            if (!existing.containsKey(name)) {
              missing.put(name, type);
            }
          });
      if (!missing.isEmpty()) {
        operator
            .blockingStub()
            .addSearchAttributes(
                AddSearchAttributesRequest.newBuilder()
                    .setNamespace(settings.temporalNamespace())
                    .putAllSearchAttributes(missing)
                    .build());
        log.info("registered search attributes {}", missing.keySet());
      }
    } catch (io.grpc.StatusRuntimeException e) {
      log.warn(
          "could not check or register search attributes {} ({}); register them on the server",
          EngramSearchAttributes.ALL.keySet(),
          e.getStatus());
    } finally {
      operator.shutdown();
    }
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
            Runs the Engram Temporal worker (task queues 'ingest', 'training', 'maintenance', 'llm') and
            registers the memory lifecycle's schedules (engram-promotion, engram-salience,
            engram-ttl-cleanup, engram-session-cleanup, engram-incremental-ingest).
          environment:
            ENGRAM_DB_URL, ENGRAM_DB_USER, ENGRAM_DB_PASSWORD   PostgreSQL with pgvector
            TEMPORAL_ADDRESS (127.0.0.1:7233), TEMPORAL_NAMESPACE (default)
            ENGRAM_EMBEDDING_MODEL (bge-small-en-v1.5-q), ENGRAM_CHUNK_SIZE (1024), ENGRAM_CHUNK_OVERLAP (200)
            ENGRAM_MAX_DOCUMENT_BYTES, ENGRAM_MIGRATE_ON_START (true)
            ENGRAM_RETRIEVAL_*   retrieval settings of evaluations, as for the API (see README)
            ENGRAM_WORKER_METRICS_PORT (9464; 0 disables the Prometheus endpoint)
            ENGRAM_PROFILE (dev|test|prod), ENGRAM_SCHEDULE_<JOB>_CRON, ENGRAM_SCHEDULE_<JOB>_ENABLED,
            ENGRAM_PROMOTION_MIN_SALIENCE, ENGRAM_PROMOTION_MIN_CITATIONS, ENGRAM_PROMOTION_MIN_AGE,
            ENGRAM_EPISODIC_TTL, ENGRAM_SESSION_IDLE, ENGRAM_INCREMENTAL_INGEST_DIRS (see README)
            ENGRAM_LLM_PROVIDER, ENGRAM_LLM_BASE_URL, ENGRAM_LLM_MODEL, ENGRAM_LLM_*
                                 the LLM of evaluation answers (eval --answers) and fact extraction
            ENGRAM_MEMORY_EXTRACTOR (auto|local|llm)   fact extraction: auto uses the LLM when one
                                 is configured; local keeps the local extractor beside it
            ENGRAM_RERANKER (linear|cross-encoder|none)   reranker of evaluations, as for the API;
              cross-encoder: ENGRAM_RERANKER_CROSS_ENCODER_DIR (model.onnx + tokenizer.json),
              _MAX_LENGTH (512), _TOP_N (20), _BATCH_SIZE (8), _THREADS, _NAME (docs/rerank.md)""");
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
