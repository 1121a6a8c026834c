package io.engram.core;

import com.zaxxer.hikari.HikariDataSource;
import io.engram.core.collection.CollectionCatalog;
import io.engram.core.collection.CollectionDeletion;
import io.engram.core.collection.CollectionRegistry;
import io.engram.core.config.EngramSettings;
import io.engram.core.config.Profile;
import io.engram.core.db.Database;
import io.engram.core.db.EngramJdbi;
import io.engram.core.drift.QueryFeatureExtractor;
import io.engram.core.embedding.CachedEmbedder;
import io.engram.core.embedding.EmbeddingModels;
import io.engram.core.evaluation.EvaluationStore;
import io.engram.core.faults.Faults;
import io.engram.core.index.IndexVersion;
import io.engram.core.index.IndexVersions;
import io.engram.core.ingestion.BlobStore;
import io.engram.core.ingestion.DocumentIndexes;
import io.engram.core.llm.AnswerGenerator;
import io.engram.core.llm.ChatModelGateway;
import io.engram.core.llm.LlmGateway;
import io.engram.core.llm.LlmSettings;
import io.engram.core.memory.FactCitations;
import io.engram.core.memory.IntentClassifier;
import io.engram.core.memory.IntentSettings;
import io.engram.core.memory.LlmIntentClassifier;
import io.engram.core.memory.LocalIntentClassifier;
import io.engram.core.memory.MemoryRetriever;
import io.engram.core.memory.UserForgetting;
import io.engram.core.memory.WorkingMemory;
import io.engram.core.query.Answerer;
import io.engram.core.query.ExchangeListener;
import io.engram.core.query.MemoryRecall;
import io.engram.core.query.QueryMetrics;
import io.engram.core.query.QueryPipeline;
import io.engram.core.query.QueryPipelines;
import io.engram.core.querylog.QueryLog;
import io.engram.core.registry.ModelBundle;
import io.engram.core.registry.ModelRegistry;
import io.engram.core.retrieval.HybridRetriever;
import io.engram.core.retrieval.QueryEmbeddings;
import io.engram.core.retrieval.ResponseCache;
import io.engram.core.rollout.IndexRetention;
import io.engram.core.rollout.LiveIndexes;
import io.engram.core.rollout.RolloutAssignments;
import io.engram.core.rollout.RolloutEvents;
import io.engram.core.rollout.RolloutMetrics;
import io.engram.core.rollout.RolloutObservations;
import io.engram.core.rollout.RolloutRouter;
import io.engram.core.rollout.RolloutService;
import io.engram.core.rollout.Rollouts;
import io.engram.core.store.PgVectorChunkStore;
import io.engram.core.training.RetrainingService;
import io.engram.migrations.Migrations;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The object graph of core shared by every process kind, built once from {@link EngramSettings}:
 * the database and its stores, the champion index version, the LLM gateway and the query pipelines.
 * The worker's and the API's composition roots start from it and add what only they have (Temporal
 * workers, HTTP controllers); integration tests start those same roots, so no test assembles the
 * graph by hand.
 */
public final class CoreServices implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CoreServices.class);

  private final EngramSettings settings;
  private final HikariDataSource dataSource;
  private final Jdbi jdbi;
  private final IndexVersion champion;
  private final IndexVersions indexVersions;
  private final CollectionRegistry collections;
  private final PgVectorChunkStore chunks;
  private final WorkingMemory workingMemory;
  private final QueryLog queryLog;
  private final BlobStore blobs;
  private final EvaluationStore evaluations;
  private final ModelRegistry registry;
  private final Optional<LlmGateway> llm;
  private final ExecutorService background;
  private final Faults faults;
  private final Map<String, CachedEmbedder> embedders = new ConcurrentHashMap<>();
  private volatile QueryPipelines pipelines;
  private volatile RetrainingService retraining;
  private volatile RolloutService rollouts;
  private volatile RolloutRouter router;

  private CoreServices(
      EngramSettings settings, HikariDataSource dataSource, IndexVersion champion) {
    this.settings = settings;
    this.dataSource = dataSource;
    this.jdbi = EngramJdbi.create(dataSource);
    this.champion = champion;
    this.indexVersions = new IndexVersions(jdbi);
    this.collections = new CollectionRegistry(jdbi);
    this.chunks = new PgVectorChunkStore(jdbi);
    this.workingMemory = new WorkingMemory(jdbi);
    this.queryLog = new QueryLog(jdbi);
    this.blobs = new BlobStore(jdbi);
    this.evaluations = new EvaluationStore(jdbi);
    this.registry = new ModelRegistry(jdbi, blobs, settings.profile() == Profile.PROD);
    this.llm = ChatModelGateway.create(settings.llm());
    this.background = boundedBackground(BACKGROUND_THREADS, "engram-core");
    this.faults = new Faults(settings.rollout().faultsEnabled());
  }

  /**
   * Connects to the database (migrating it when the settings say so), makes sure a champion index
   * version exists, and loads the champion's embedding model.
   *
   * @param process names the connection pool ({@code engram-api}, {@code engram-worker})
   * @param databasePool connections the process keeps
   */
  public static CoreServices open(EngramSettings settings, String process, int databasePool) {
    EmbeddingModels.setIntraOpThreads(settings.index().onnxThreads());
    HikariDataSource dataSource = Database.connect(settings.database(), process, databasePool);
    try {
      if (settings.database().migrateOnStart()) {
        int applied = Migrations.migrate(dataSource);
        log.info("database schema up to date ({} migrations applied)", applied);
      }
      IndexVersion champion =
          new IndexVersions(EngramJdbi.create(dataSource))
              .ensureChampion(
                  settings.index().embeddingModel(),
                  settings.index().chunkSize(),
                  settings.index().chunkOverlap());
      // Loaded now rather than inside the first query or activity, whose latency or heartbeat
      // timeout would otherwise have to cover the model load.
      EmbeddingModels.get(champion.embeddingModel());
      log.info(
          "{} connected to {}; champion index version {}",
          process,
          settings.database(),
          champion.name());
      CoreServices core = new CoreServices(settings, dataSource, champion);
      core.bootstrapRegistry();
      return core;
    } catch (RuntimeException e) {
      dataSource.close();
      throw e;
    }
  }

  public EngramSettings settings() {
    return settings;
  }

  public HikariDataSource dataSource() {
    return dataSource;
  }

  /**
   * The one Jdbi of the process, over its pool: every table owner runs its statements through it.
   */
  public Jdbi jdbi() {
    return jdbi;
  }

  /** The champion index version when the process started. */
  public IndexVersion champion() {
    return champion;
  }

  public IndexVersions indexVersions() {
    return indexVersions;
  }

  public CollectionRegistry collections() {
    return collections;
  }

  public PgVectorChunkStore chunks() {
    return chunks;
  }

  public WorkingMemory workingMemory() {
    return workingMemory;
  }

  public QueryLog queryLog() {
    return queryLog;
  }

  public BlobStore blobs() {
    return blobs;
  }

  /** Evaluation runs, their queries and their answer samples. */
  public EvaluationStore evaluations() {
    return evaluations;
  }

  /** The model registry: versions, aliases and their audit. */
  public ModelRegistry registry() {
    return registry;
  }

  /**
   * The bundle a collection without a registered version is served by: the configured retrieval and
   * reranker over the champion index version.
   */
  public ModelBundle defaultBundle() {
    return new ModelBundle(
        settings.retrieval(),
        settings.reranker(),
        llm.map(LlmGateway::modelName).orElse("extractive"));
  }

  /**
   * Registers the champion of every collection indexed in the champion index version that has no
   * model version yet as its version 1 (an install upgraded from before the registry), so each
   * serves a registered bundle. Idempotent; both processes call it at start.
   */
  public void bootstrapRegistry() {
    for (String collection : new DocumentIndexes(jdbi).collectionsIndexed(champion.id())) {
      registry.bootstrap(collection, champion, defaultBundle());
    }
  }

  /** The steps of a retraining (search, registration, gates), built on first call. */
  public synchronized RetrainingService retraining() {
    if (retraining == null) {
      retraining =
          new RetrainingService(
              jdbi,
              registry,
              indexVersions,
              chunks,
              blobs,
              evaluations.runs(),
              settings.training(),
              Clock.systemUTC());
    }
    return retraining;
  }

  /** Rollouts: begin, phases, checks, decisions, undo; and their audit. Built on first call. */
  public synchronized RolloutService rollouts() {
    if (rollouts == null) {
      rollouts =
          new RolloutService(
              jdbi,
              registry,
              indexVersions,
              new Rollouts(jdbi),
              new RolloutEvents(jdbi),
              new RolloutObservations(jdbi),
              settings.rollout(),
              Clock.systemUTC());
    }
    return rollouts;
  }

  /** What the collections hold, and the removal of a document. */
  public CollectionCatalog catalog() {
    return new CollectionCatalog(jdbi, collections, indexVersions, liveIndexes());
  }

  /** Deletes whole collections, batch by batch ({@code CollectionDeletionWorkflow}). */
  public CollectionDeletion collectionDeletion() {
    return new CollectionDeletion(jdbi, rollouts().rollouts(), CollectionDeletion.BATCH);
  }

  /** Forgets one user of a tenant: their sessions, turns and facts ({@code memory forget}). */
  public UserForgetting userForgetting() {
    return new UserForgetting(jdbi, Clock.systemUTC(), UserForgetting.BATCH);
  }

  /** The index versions each collection is served from, by its aliases and running rollout. */
  public LiveIndexes liveIndexes() {
    return new LiveIndexes(registry(), rollouts().rollouts());
  }

  /** Drops the indexes versions lost rollouts with, once their retention has passed. */
  public IndexRetention indexRetention() {
    return new IndexRetention(
        jdbi,
        registry,
        rollouts().rollouts(),
        indexVersions(),
        chunks(),
        settings.rollout().retention());
  }

  /**
   * The router of this process's queries (the champion, or a rollout's arm), over {@link
   * #queryPipelines}; built on first call.
   */
  public synchronized RolloutRouter rolloutRouter(
      MeterRegistry metrics, ExchangeListener exchanges) {
    if (router == null) {
      router =
          new RolloutRouter(
              queryPipelines(metrics, exchanges),
              rollouts().rollouts(),
              new RolloutAssignments(jdbi),
              new RolloutObservations(jdbi),
              new RolloutMetrics(metrics),
              background,
              settings.rollout(),
              System::nanoTime);
    }
    return router;
  }

  /** The fault switches of this process (all off unless {@code ENGRAM_FAULTS_ENABLED=true}). */
  public Faults faults() {
    return faults;
  }

  /** The configured LLM, if any. */
  public Optional<LlmGateway> llm() {
    return llm;
  }

  /** Runs work that must not hold up a caller (query log inserts, memory recall, citations). */
  public ExecutorService background() {
    return background;
  }

  /** The embedder of {@code model} with the embedding cache in front, one per model. */
  public CachedEmbedder embedder(String model) {
    return embedders.computeIfAbsent(
        model, m -> new CachedEmbedder(jdbi, m, EmbeddingModels.get(m)));
  }

  /**
   * The query pipelines of this process, built on first call.
   *
   * @param metrics where the query path's metrics go
   * @param exchanges told after a session's exchange is stored (the API signals distillation)
   */
  public synchronized QueryPipelines queryPipelines(
      MeterRegistry metrics, ExchangeListener exchanges) {
    if (pipelines == null) {
      var cache = settings.cache();
      QueryEmbeddings queryEmbeddings = new QueryEmbeddings(cache.queryEmbeddings());
      ResponseCache<QueryPipeline.CachedAnswer> responses =
          new ResponseCache<>(cache.responses(), cache.responseTtl(), System::nanoTime);
      QueryPipeline.Shared shared =
          new QueryPipeline.Shared(
              new HybridRetriever(chunks, background, queryEmbeddings),
              collections,
              workingMemory,
              settings.conversation(),
              intentClassifier(settings.intent(), settings.llm()),
              new MemoryRecall(
                  memoryRetriever(queryEmbeddings),
                  new FactCitations(jdbi),
                  settings.conversation().recallTopK(),
                  background,
                  Clock.systemUTC()),
              new Answerer(llm.map(AnswerGenerator::new).orElse(null)),
              exchanges,
              queryLog,
              responses,
              new QueryMetrics(metrics, queryEmbeddings, responses),
              background,
              new QueryFeatureExtractor(chunks.lexicon()),
              faults);
      pipelines =
          new QueryPipelines(
              indexVersions,
              registry,
              settings.retrieval(),
              settings.reranker(),
              shared,
              System::nanoTime);
    }
    return pipelines;
  }

  /** Recalls facts with the champion's embedding model, which the worker embeds them with. */
  private MemoryRetriever memoryRetriever(QueryEmbeddings embeddings) {
    String model = champion.embeddingModel();
    MemoryRetriever.Options defaults = MemoryRetriever.Options.forModel(model);
    Double minSimilarity = settings.conversation().recallMinSimilarity();
    MemoryRetriever.Options options =
        minSimilarity == null
            ? defaults
            : new MemoryRetriever.Options(
                defaults.denseWeight(), minSimilarity, defaults.candidates());
    return new MemoryRetriever(jdbi, model, embeddings, options);
  }

  /**
   * The classifier {@link IntentSettings#classifier()} names. The LLM one reaches the answers'
   * endpoint through a gateway of its own: a short timeout and no retry, because it runs before
   * retrieval and the local rules are its retry; few tokens; greedy sampling; and a circuit breaker
   * of its own, so classifications timing out at a fraction of the answers' patience cannot shut
   * answer generation off.
   *
   * @throws IllegalArgumentException for {@code llm} without an LLM
   */
  static IntentClassifier intentClassifier(IntentSettings intent, LlmSettings llm) {
    LocalIntentClassifier local = new LocalIntentClassifier();
    boolean useLlm =
        switch (intent.classifier()) {
          case LOCAL -> false;
          case AUTO -> llm.enabled();
          case LLM -> {
            if (!llm.enabled()) {
              throw new IllegalArgumentException(
                  "ENGRAM_INTENT_CLASSIFIER=llm needs an LLM: set "
                      + LlmSettings.ENV_PROVIDER
                      + ", "
                      + LlmSettings.ENV_BASE_URL
                      + " and "
                      + LlmSettings.ENV_MODEL
                      + ", or use auto or local");
            }
            yield true;
          }
        };
    if (!useLlm) {
      log.info("intent classifier: local rules");
      return local;
    }
    LlmSettings budget = llm.withCallBudget(intent.timeout(), 0, intent.maxTokens(), 0);
    IntentClassifier classifier =
        new LlmIntentClassifier(ChatModelGateway.create(budget).orElseThrow(), local);
    log.info("intent classifier: {} (local rules as fallback)", classifier.name());
    return classifier;
  }

  /** Daemon threads named {@code prefix-N}, so a forgotten executor never keeps a JVM alive. */
  /**
   * Threads of the shared background pool: the query path's lexical leg and memory recall, and the
   * writes it leaves behind (query log, citations). Each mostly waits on the database, whose own
   * pool is far smaller, so more threads would only queue there.
   */
  static final int BACKGROUND_THREADS = 64;

  /**
   * A pool of at most {@code threads} daemon threads that hands no task to a queue: when every
   * thread is busy (the database slowed down under load) the caller runs the task itself, which
   * pushes back on the callers instead of growing a thread per waiting task.
   */
  static ExecutorService boundedBackground(int threads, String prefix) {
    return new ThreadPoolExecutor(
        0,
        threads,
        60,
        TimeUnit.SECONDS,
        new SynchronousQueue<>(),
        daemonThreads(prefix),
        new ThreadPoolExecutor.CallerRunsPolicy());
  }

  public static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return task -> {
      Thread thread = new Thread(task, prefix + "-" + n.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  @Override
  public void close() {
    RolloutRouter r = router;
    if (r != null) {
      r.close();
    }
    QueryPipelines p = pipelines;
    if (p != null) {
      p.close();
    }
    background.shutdownNow();
    dataSource.close();
  }
}
