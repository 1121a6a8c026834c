package io.engram.core.config;

import io.engram.core.Hashing;
import io.engram.core.ingestion.IngestionSettings;
import io.engram.core.llm.LlmSettings;
import io.engram.core.logging.LogFormat;
import io.engram.core.logging.LogFormatProperty;
import io.engram.core.logging.LogSecrets;
import io.engram.core.memory.FactExtraction;
import io.engram.core.memory.IntentSettings;
import io.engram.core.memory.MemorySettings;
import io.engram.core.query.CacheSettings;
import io.engram.core.query.ConversationSettings;
import io.engram.core.rerank.CrossEncoderReranker;
import io.engram.core.rerank.RerankerSettings;
import io.engram.core.rerank.Rerankers;
import io.engram.core.retrieval.RetrievalSettings;
import io.engram.core.rollout.RolloutPlan;
import io.engram.core.rollout.RolloutSettings;
import io.engram.core.training.TrainingSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every setting of Engram as one typed tree, read once per process from a {@link SettingsSource}
 * (defaults per profile, an optional file, the environment, overrides) and validated. The worker
 * and the API build their object graphs from it; the API's Micronaut properties are one more layer
 * of the same source, not a second copy of the settings.
 *
 * @param profile the profile whose defaults apply
 * @param database the PostgreSQL database
 * @param temporal the Temporal frontend
 * @param index the champion's embedding model and chunking, and how in-process models run
 * @param ingestion what ingestion may read
 * @param retrieval how the champion retrieves
 * @param reranker the champion's reranker
 * @param cache the query path's caches
 * @param llm the LLM of answers, evaluation answers and (by choice) fact extraction
 * @param intent how turns are classified
 * @param conversation how the query path uses a conversation's memory
 * @param memory the memory lifecycle: lifetimes, salience, promotion, schedules
 * @param extraction who extracts facts in the worker
 * @param training how the model lifecycle retrains, gates and watches for drift
 * @param rollout how a staged version reaches users: shadow, canary steps, A/B, decision
 * @param api the API process
 * @param access who may call the API and how much: keys, loopback calls, rate and size limits
 * @param worker the worker process
 * @param logFormat how both processes write their log (applied by logback as it starts, see {@link
 *     io.engram.core.logging.LogFormatProperty}; read here so a bad value fails the start)
 */
public record EngramSettings(
    Profile profile,
    DatabaseSettings database,
    TemporalSettings temporal,
    IndexSettings index,
    IngestionSettings ingestion,
    RetrievalSettings retrieval,
    RerankerSettings reranker,
    CacheSettings cache,
    LlmSettings llm,
    IntentSettings intent,
    ConversationSettings conversation,
    MemorySettings memory,
    FactExtraction extraction,
    TrainingSettings training,
    RolloutSettings rollout,
    ApiSettings api,
    AccessSettings access,
    WorkerSettings worker,
    LogFormat logFormat) {

  /** The settings of this process: its environment over the defaults. */
  public static EngramSettings fromEnvironment() {
    return from(SettingsSource.of(System.getenv()));
  }

  /** The settings {@code values} (keyed by variable name) give over the defaults. */
  public static EngramSettings of(Map<String, String> values) {
    return from(SettingsSource.of(values));
  }

  /** The defaults of the {@code dev} profile. */
  public static EngramSettings defaults() {
    return of(Map.of());
  }

  /**
   * Reads and validates every setting.
   *
   * @throws IllegalArgumentException naming the first setting that is malformed or inconsistent
   */
  public static EngramSettings from(SettingsSource s) {
    // Before anything can fail and log: the JSON log masks these values wherever they appear.
    LogSecrets.remember(s);
    return new EngramSettings(
        s.profile(),
        new DatabaseSettings(
            s.string("ENGRAM_DB_URL"),
            s.optionalString("ENGRAM_DB_USER"),
            s.optionalString("ENGRAM_DB_PASSWORD"),
            s.bool("ENGRAM_MIGRATE_ON_START"),
            Duration.ofMillis(s.integer("ENGRAM_DB_CONNECT_TIMEOUT_MS", 250, 600_000))),
        new TemporalSettings(s.string("TEMPORAL_ADDRESS"), s.string("TEMPORAL_NAMESPACE")),
        new IndexSettings(
            s.string("ENGRAM_EMBEDDING_MODEL"),
            s.integer("ENGRAM_CHUNK_SIZE", 64, 100_000),
            s.integer("ENGRAM_CHUNK_OVERLAP", 0, 50_000),
            s.integer("ENGRAM_ONNX_THREADS", 1, 64)),
        new IngestionSettings(
            s.paths("ENGRAM_INGEST_ROOTS"),
            s.longInteger("ENGRAM_MAX_DOCUMENT_BYTES", 1, Long.MAX_VALUE)),
        retrieval(s),
        reranker(s),
        new CacheSettings(
            s.integer("ENGRAM_CACHE_RESPONSES", 0, 1_000_000),
            s.duration("ENGRAM_CACHE_RESPONSE_TTL"),
            s.integer("ENGRAM_CACHE_QUERY_EMBEDDINGS", 0, 1_000_000)),
        llm(s),
        new IntentSettings(
            s.choice("ENGRAM_INTENT_CLASSIFIER", IntentSettings.Classifier.class),
            s.millis("ENGRAM_INTENT_TIMEOUT_MS", 50, 60_000),
            s.integer("ENGRAM_INTENT_MAX_TOKENS", 16, 1024)),
        new ConversationSettings(
            s.integer("ENGRAM_MEMORY_WORKING_TURNS", 0, 100),
            s.integer("ENGRAM_MEMORY_DISTILL_EVERY_TURNS", 0, 1000),
            s.integer("ENGRAM_MEMORY_RECALL_TOP_K", 0, 20),
            s.decimal("ENGRAM_MEMORY_RECALL_MIN_SIMILARITY", -1, 1, true)),
        memory(s),
        s.choice("ENGRAM_MEMORY_EXTRACTOR", FactExtraction.class),
        training(s),
        rollout(s),
        new ApiSettings(
            s.string("ENGRAM_API_HOST"),
            s.integer("ENGRAM_API_PORT", 0, 65_535),
            s.longInteger("ENGRAM_MAX_UPLOAD_BYTES", 1024, Long.MAX_VALUE),
            s.integer("ENGRAM_API_DB_POOL", 2, 1000),
            s.integer("ENGRAM_WARM_UP_QUESTIONS", 0, 100_000),
            s.choice("ENGRAM_HEALTH_DETAILS", HealthDetails.class) == HealthDetails.PUBLIC),
        access(s),
        new WorkerSettings(
            s.integer("ENGRAM_WORKER_METRICS_PORT", 0, 65_535),
            s.integer("ENGRAM_WORKER_DB_POOL", 2, 1000),
            s.list("ENGRAM_WORKER_TASK_QUEUES")),
        s.choice(LogFormatProperty.KEY, LogFormat.class));
  }

  private static AccessSettings access(SettingsSource s) {
    boolean loopback = s.bool("ENGRAM_AUTH_LOOPBACK");
    if (loopback && s.profile() == Profile.PROD) {
      throw s.invalid(
          s.resolve("ENGRAM_AUTH_LOOPBACK"),
          "must be false in the prod profile, which serves no request without an API key");
    }
    long maxRequest = s.longInteger("ENGRAM_MAX_REQUEST_BYTES", 1024, Long.MAX_VALUE);
    if (maxRequest > s.longInteger("ENGRAM_MAX_UPLOAD_BYTES", 1024, Long.MAX_VALUE)) {
      throw s.invalid(
          s.resolve("ENGRAM_MAX_REQUEST_BYTES"), "must not exceed ENGRAM_MAX_UPLOAD_BYTES");
    }
    return new AccessSettings(
        loopback,
        s.integer("ENGRAM_RATE_LIMIT_PER_SECOND", 0, 1_000_000),
        s.integer("ENGRAM_RATE_LIMIT_BURST", 1, 10_000_000),
        s.choice("ENGRAM_RATE_LIMIT_SCOPE", AccessSettings.RateLimitScope.class),
        maxRequest,
        metricsAccess(s));
  }

  /** Values of {@code ENGRAM_HEALTH_DETAILS}. */
  private enum HealthDetails {
    PUBLIC,
    HIDDEN
  }

  /** Values of {@code ENGRAM_METRICS_ACCESS}. */
  private enum MetricsAccess {
    PUBLIC,
    KEY
  }

  private static AccessSettings.Metrics metricsAccess(SettingsSource s) {
    String token = s.optionalString("ENGRAM_METRICS_TOKEN");
    if (token != null && token.strip().length() < 16) {
      throw s.invalid(s.resolve("ENGRAM_METRICS_TOKEN"), "must be at least 16 characters");
    }
    return new AccessSettings.Metrics(
        s.choice("ENGRAM_METRICS_ACCESS", MetricsAccess.class) == MetricsAccess.KEY,
        token == null ? null : Hashing.sha256(token.strip()));
  }

  private static RetrievalSettings retrieval(SettingsSource s) {
    return new RetrievalSettings(
        s.choice("ENGRAM_RETRIEVAL_MODE", RetrievalSettings.Mode.class),
        s.decimal("ENGRAM_RETRIEVAL_DENSE_WEIGHT", 0, 1),
        s.integer("ENGRAM_RETRIEVAL_CANDIDATES", 1, RetrievalSettings.MAX_DEPTH),
        s.decimal("ENGRAM_RETRIEVAL_MAX_LEXEME_SHARE", Double.MIN_VALUE, 1),
        s.bool("ENGRAM_RETRIEVAL_RERANK"));
  }

  private static RerankerSettings reranker(SettingsSource s) {
    Rerankers.Kind kind = s.choice(Rerankers.ENV_RERANKER, Rerankers.Kind.class);
    String linear = s.optionalString(Rerankers.ENV_LINEAR_MODEL);
    // The cross-encoder's limits are validated whichever kind is chosen, so a typo shows now and
    // not on the day someone switches to it.
    String dir = s.optionalString(Rerankers.ENV_CROSS_ENCODER_DIR);
    String name = s.optionalString(Rerankers.ENV_CROSS_ENCODER_NAME);
    int maxLength = s.integer(Rerankers.ENV_CROSS_ENCODER_MAX_LENGTH, 4, 8192);
    int topN = s.integer(Rerankers.ENV_CROSS_ENCODER_TOP_N, 1, RetrievalSettings.MAX_DEPTH);
    int batchSize = s.integer(Rerankers.ENV_CROSS_ENCODER_BATCH_SIZE, 1, 1024);
    int threads =
        s.optionalString(Rerankers.ENV_CROSS_ENCODER_THREADS) == null
            ? s.integer("ENGRAM_ONNX_THREADS", 1, 64)
            : s.integer(Rerankers.ENV_CROSS_ENCODER_THREADS, 1, 64);
    CrossEncoderReranker.Settings crossEncoder =
        kind == Rerankers.Kind.CROSS_ENCODER && dir != null
            ? new CrossEncoderReranker.Settings(
                Path.of(dir), name, maxLength, topN, batchSize, threads)
            : null;
    return new RerankerSettings(kind, linear == null ? null : Path.of(linear), crossEncoder);
  }

  private static TrainingSettings training(SettingsSource s) {
    String maxAge = s.optionalString("ENGRAM_RETRAIN_MAX_AGE");
    return new TrainingSettings(
        new TrainingSettings.Search(
            s.integer("ENGRAM_RETRAIN_TRIALS", 1, 10_000),
            s.integer("ENGRAM_RETRAIN_PATIENCE", 1, 10_000),
            s.integer("ENGRAM_RETRAIN_MIN_TRIALS", 1, 10_000),
            s.decimal("ENGRAM_RETRAIN_MIN_IMPROVEMENT", 0, 1),
            s.duration("ENGRAM_RETRAIN_TIME_BUDGET"),
            s.integer("ENGRAM_RETRAIN_PARALLELISM", 1, 16),
            s.choice("ENGRAM_RETRAIN_SPACE", TrainingSettings.Space.class)),
        new TrainingSettings.Triggers(
            maxAge == null ? null : s.duration("ENGRAM_RETRAIN_MAX_AGE"),
            s.decimal("ENGRAM_RETRAIN_DEGRADATION", 0, 1, true),
            s.integer("ENGRAM_RETRAIN_NEW_FEEDBACK", 0, 10_000_000)),
        new TrainingSettings.Gates(
            s.decimal("ENGRAM_GATE_MIN_NDCG", 0, 1),
            s.decimal("ENGRAM_GATE_EPSILON", 0, 1),
            s.decimal("ENGRAM_GATE_MIN_IMPROVEMENT", 0, 1),
            s.decimal("ENGRAM_GATE_P95_BUDGET_MS", 1, 600_000)),
        new TrainingSettings.Drift(
            s.integer("ENGRAM_DRIFT_WINDOW", 10, 1_000_000),
            s.integer("ENGRAM_DRIFT_MIN_SAMPLE", 10, 1_000_000),
            s.decimal("ENGRAM_DRIFT_PSI_STABLE", 0, 10),
            s.decimal("ENGRAM_DRIFT_PSI_DRIFT", 0, 10),
            s.decimal("ENGRAM_DRIFT_KS_ALPHA", Double.MIN_VALUE, 1)),
        new MemorySettings.JobSchedule(
            s.string("ENGRAM_SCHEDULE_RETRAIN_CRON"), s.bool("ENGRAM_SCHEDULE_RETRAIN_ENABLED")),
        new MemorySettings.JobSchedule(
            s.string("ENGRAM_SCHEDULE_DRIFT_CRON"), s.bool("ENGRAM_SCHEDULE_DRIFT_ENABLED")),
        new MemorySettings.JobSchedule(
            s.string("ENGRAM_SCHEDULE_INDEX_RETENTION_CRON"),
            s.bool("ENGRAM_SCHEDULE_INDEX_RETENTION_ENABLED")),
        s.bool("ENGRAM_RETRAIN_FORCE"));
  }

  private static RolloutSettings rollout(SettingsSource s) {
    SettingsSource.Resolved stepsSetting = s.resolve("ENGRAM_ROLLOUT_STEPS");
    List<Double> steps = new ArrayList<>();
    for (String step : s.list("ENGRAM_ROLLOUT_STEPS")) {
      try {
        steps.add(Double.parseDouble(step));
      } catch (NumberFormatException e) {
        throw s.invalid(stepsSetting, "must be increasing shares in (0, 1], ','-separated");
      }
    }
    RolloutPlan plan;
    try {
      plan =
          new RolloutPlan(
              s.decimal("ENGRAM_ROLLOUT_SHADOW_SHARE", 0, 1),
              s.integer("ENGRAM_ROLLOUT_SHADOW_MIN_QUERIES", 0, 10_000_000),
              s.duration("ENGRAM_ROLLOUT_SHADOW_BAKE"),
              steps,
              s.duration("ENGRAM_ROLLOUT_STEP_BAKE"),
              s.integer("ENGRAM_ROLLOUT_STEP_MIN_QUERIES", 0, 10_000_000),
              s.decimal("ENGRAM_ROLLOUT_INTERLEAVE_SHARE", 0, 1),
              s.decimal("ENGRAM_ROLLOUT_MAX_ERROR_RATE", 0, 1),
              s.decimal("ENGRAM_ROLLOUT_P95_RATIO", 1, 100),
              s.decimal("ENGRAM_ROLLOUT_P95_SLACK_MS", 0, 600_000),
              s.decimal("ENGRAM_ROLLOUT_MAX_EMPTY_INCREASE", 0, 1),
              s.decimal("ENGRAM_ROLLOUT_ALPHA", 1e-6, 0.5),
              s.integer("ENGRAM_ROLLOUT_MAX_COMPARISONS", 1, 100_000_000),
              s.duration("ENGRAM_ROLLOUT_TIME_BUDGET"),
              s.duration("ENGRAM_ROLLOUT_CHECK_INTERVAL"));
    } catch (SettingsSource.InvalidSettingException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      // The settings are each in range but do not make a plan together (steps that do not
      // increase, a last step that leaves no room for interleaving).
      throw s.invalid(stepsSetting, "do not make a rollout plan: " + e.getMessage());
    }
    return new RolloutSettings(
        s.bool("ENGRAM_ROLLOUT_AUTO_START"),
        s.bool("ENGRAM_ROLLOUT_AUTO_PROMOTE"),
        plan,
        s.duration("ENGRAM_ROLLOUT_APPROVAL_TIMEOUT"),
        s.duration("ENGRAM_ROLLOUT_MAX_PAUSE"),
        s.duration("ENGRAM_ROLLOUT_RETENTION"),
        s.integer("ENGRAM_ROLLOUT_SHADOW_QUEUE", 1, 1_000_000),
        s.integer("ENGRAM_ROLLOUT_SHADOW_THREADS", 1, 64),
        s.millis("ENGRAM_ROLLOUT_ROUTING_TTL_MS", 0, 60_000),
        s.bool("ENGRAM_FAULTS_ENABLED"));
  }

  private static LlmSettings llm(SettingsSource s) {
    return new LlmSettings(
        s.choice(LlmSettings.ENV_PROVIDER, LlmSettings.Provider.class),
        s.optionalString(LlmSettings.ENV_BASE_URL),
        s.optionalString(LlmSettings.ENV_MODEL),
        s.optionalString(LlmSettings.ENV_API_KEY),
        s.millis(LlmSettings.ENV_TIMEOUT_MS, 1, 3_600_000),
        s.integer(LlmSettings.ENV_MAX_RETRIES, 0, 5),
        s.integer(LlmSettings.ENV_MAX_TOKENS, 1, 32_768),
        s.decimal(LlmSettings.ENV_TEMPERATURE, 0, 2),
        s.integer(LlmSettings.ENV_BREAKER_FAILURES, 1, 1000),
        s.millis(LlmSettings.ENV_BREAKER_OPEN_MS, 1, 3_600_000));
  }

  private static MemorySettings memory(SettingsSource s) {
    Map<String, MemorySettings.JobSchedule> schedules = new LinkedHashMap<>();
    for (String job : MemorySettings.JOBS) {
      String prefix = "ENGRAM_SCHEDULE_" + job.toUpperCase(Locale.ROOT).replace('-', '_');
      schedules.put(
          job,
          new MemorySettings.JobSchedule(s.string(prefix + "_CRON"), s.bool(prefix + "_ENABLED")));
    }
    return new MemorySettings(
        s.profile().value(),
        s.duration("ENGRAM_EPISODIC_TTL"),
        s.duration("ENGRAM_SALIENCE_HALF_LIFE"),
        s.decimal("ENGRAM_MEMORY_INITIAL_SALIENCE", Double.MIN_VALUE, 1),
        s.decimal("ENGRAM_MEMORY_CITATION_BOOST", Double.MIN_VALUE, 1),
        s.decimal("ENGRAM_MEMORY_DEDUP_SIMILARITY", Double.MIN_VALUE, 1),
        new MemorySettings.Promotion(
            s.decimal("ENGRAM_PROMOTION_MIN_SALIENCE", 0, 1),
            s.integer("ENGRAM_PROMOTION_MIN_CITATIONS", 0, 1_000_000),
            s.duration("ENGRAM_PROMOTION_MIN_AGE"),
            s.integer("ENGRAM_PROMOTION_BATCH_SIZE", 1, 10_000)),
        s.duration("ENGRAM_SESSION_IDLE"),
        s.integer("ENGRAM_MAINTENANCE_BATCH_SIZE", 1, 1_000_000),
        schedules,
        MemorySettings.parseSources(
            s.optionalString("ENGRAM_INCREMENTAL_INGEST_DIRS") == null
                ? ""
                : s.optionalString("ENGRAM_INCREMENTAL_INGEST_DIRS")));
  }
}
