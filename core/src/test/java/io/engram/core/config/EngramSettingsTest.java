package io.engram.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engram.core.llm.LlmSettings;
import io.engram.core.memory.FactExtraction;
import io.engram.core.memory.IntentSettings;
import io.engram.core.memory.MemorySettings;
import io.engram.core.rerank.CrossEncoderReranker;
import io.engram.core.rerank.Rerankers;
import io.engram.core.retrieval.RetrievalSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EngramSettingsTest {

  @Test
  void defaults_work_on_a_laptop() {
    EngramSettings s = EngramSettings.defaults();
    assertThat(s.profile()).isEqualTo(Profile.DEV);
    assertThat(s.database().url()).startsWith("jdbc:postgresql://127.0.0.1:");
    assertThat(s.database().migrateOnStart()).isTrue();
    assertThat(s.database().connectTimeout()).isEqualTo(java.time.Duration.ofSeconds(2));
    assertThat(s.temporal().address()).isEqualTo("127.0.0.1:7233");
    assertThat(s.index().embeddingModel()).isEqualTo("bge-small-en-v1.5-q");
    assertThat(s.index().chunkSize()).isEqualTo(1024);
    assertThat(s.index().chunkOverlap()).isEqualTo(200);
    assertThat(s.ingestion().roots()).isEmpty();
    assertThat(s.retrieval())
        .isEqualTo(new RetrievalSettings(RetrievalSettings.Mode.HYBRID, 0.8, 100, 0.02, true));
    assertThat(s.reranker().kind()).isEqualTo(Rerankers.Kind.LINEAR);
    assertThat(s.reranker().linearModel()).isNull();
    assertThat(s.llm().enabled()).isFalse();
    assertThat(s.llm().timeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.intent().classifier()).isEqualTo(IntentSettings.Classifier.AUTO);
    assertThat(s.extraction()).isEqualTo(FactExtraction.AUTO);
    assertThat(s.conversation().recallMinSimilarity()).isNull();
    assertThat(s.api().host()).isEqualTo("127.0.0.1");
    assertThat(s.api().port()).isEqualTo(8080);
  }

  @Test
  void dev_memory_follows_the_documented_lifecycle() {
    MemorySettings m = EngramSettings.defaults().memory();
    assertThat(m.profile()).isEqualTo("dev");
    assertThat(m.promotion())
        .isEqualTo(new MemorySettings.Promotion(0.8, 5, Duration.ofDays(7), 100));
    assertThat(m.schedules().get(MemorySettings.PROMOTION).cron()).isEqualTo("0 3 * * *");
    assertThat(m.schedules().get(MemorySettings.SALIENCE).cron()).isEqualTo("*/5 * * * *");
    assertThat(m.schedules().get(MemorySettings.TTL_CLEANUP).cron()).isEqualTo("0 */6 * * *");
    assertThat(m.schedules().get(MemorySettings.SESSION_CLEANUP).cron()).isEqualTo("*/15 * * * *");
    assertThat(m.schedules().values()).allMatch(MemorySettings.JobSchedule::enabled);
    assertThat(m.episodicTtl()).isEqualTo(Duration.ofDays(30));
    assertThat(m.incrementalIngest()).isEmpty();
  }

  @Test
  void production_differs_where_production_needs_it() {
    EngramSettings prod = EngramSettings.of(Map.of("ENGRAM_PROFILE", "prod"));
    assertThat(prod.profile()).isEqualTo(Profile.PROD);
    // The schema moves in a deliberate step, not in a race between replicas.
    assertThat(prod.database().migrateOnStart()).isFalse();
    assertThat(prod.api().host()).isEqualTo("0.0.0.0");
    assertThat(prod.memory().episodicTtl()).isEqualTo(Duration.ofDays(90));
    // What production does not change stays the measured default.
    assertThat(prod.retrieval()).isEqualTo(EngramSettings.defaults().retrieval());
    // The metrics name every tenant's collections: prod serves them to a key only.
    assertThat(prod.access().metrics().keyed()).isTrue();
    assertThat(EngramSettings.defaults().access().metrics().keyed()).isFalse();
    // /health's details (disk, Temporal's address, pgvector's version) are for no caller in prod.
    assertThat(prod.api().publicHealthDetails()).isFalse();
    assertThat(EngramSettings.defaults().api().publicHealthDetails()).isTrue();
    assertThat(EngramSettings.of(Map.of("ENGRAM_PROFILE", "test")).api().publicHealthDetails())
        .isTrue();
  }

  @Test
  void the_scrapers_token_is_kept_as_its_hash_and_must_be_long_enough() {
    String token = "scraper-token-0123456789";
    AccessSettings.Metrics metrics =
        EngramSettings.of(Map.of("ENGRAM_PROFILE", "prod", "ENGRAM_METRICS_TOKEN", token))
            .access()
            .metrics();
    assertThat(metrics.isToken(token)).isTrue();
    assertThat(metrics.isToken(token + "x")).isFalse();
    assertThat(metrics.isToken(null)).isFalse();
    assertThat(metrics.toString()).doesNotContain(token);
    assertThatThrownBy(() -> EngramSettings.of(Map.of("ENGRAM_METRICS_TOKEN", "short")))
        .hasMessageContaining("ENGRAM_METRICS_TOKEN must be at least 16 characters")
        .hasMessageNotContaining("short'");
  }

  @Test
  void the_test_profile_compresses_the_memory_lifecycle_into_hours() {
    EngramSettings test = EngramSettings.of(Map.of("ENGRAM_PROFILE", "TEST"));
    assertThat(test.memory().promotion().minAge()).isEqualTo(Duration.ofHours(1));
    assertThat(test.memory().schedules().get(MemorySettings.PROMOTION).cron())
        .isEqualTo("0 * * * *");
    assertThat(test.memory().profile()).isEqualTo("test");
    assertThatThrownBy(() -> EngramSettings.of(Map.of("ENGRAM_PROFILE", "staging")))
        .hasMessageContaining("ENGRAM_PROFILE must be one of [dev, test, prod]");
  }

  @Test
  void retraining_budgets_and_triggers_follow_the_profile() {
    var dev = EngramSettings.defaults().training();
    assertThat(dev.search().trials()).isEqualTo(10);
    assertThat(dev.search().patience()).isEqualTo(3);
    assertThat(dev.search().minTrials()).isEqualTo(5);
    assertThat(dev.triggers().maxAge()).isNull();
    assertThat(dev.triggers().degradation()).isNull();
    assertThat(dev.force()).isFalse();
    var test = EngramSettings.of(Map.of("ENGRAM_PROFILE", "test")).training();
    assertThat(test.search())
        .extracting(s -> s.trials(), s -> s.patience(), s -> s.minTrials())
        .containsExactly(50, 15, 25);
    assertThat(test.triggers().maxAge()).isEqualTo(Duration.ofDays(7));
    assertThat(test.triggers().degradation()).isEqualTo(0.10);
    var prod = EngramSettings.of(Map.of("ENGRAM_PROFILE", "prod")).training();
    assertThat(prod.search())
        .extracting(s -> s.trials(), s -> s.patience(), s -> s.minTrials())
        .containsExactly(100, 25, 50);
    assertThat(prod.triggers().maxAge()).isEqualTo(Duration.ofDays(30));
    assertThat(prod.triggers().degradation()).isEqualTo(0.05);
    assertThat(
            EngramSettings.of(Map.of("ENGRAM_PROFILE", "prod", "ENGRAM_RETRAIN_FORCE", "true"))
                .training()
                .force())
        .isTrue();
    assertThatThrownBy(
            () ->
                EngramSettings.of(
                    Map.of("ENGRAM_RETRAIN_TRIALS", "3", "ENGRAM_RETRAIN_MIN_TRIALS", "5")))
        .hasMessageContaining("ENGRAM_RETRAIN_MIN_TRIALS");
  }

  @Test
  void variables_override_every_section() {
    EngramSettings s =
        EngramSettings.of(
            Map.ofEntries(
                Map.entry("ENGRAM_PROFILE", "prod"),
                Map.entry("ENGRAM_INGEST_ROOTS", "/data:/srv/docs: "),
                Map.entry("ENGRAM_CHUNK_SIZE", "512"),
                Map.entry("ENGRAM_CHUNK_OVERLAP", "64"),
                Map.entry("ENGRAM_RETRIEVAL_MODE", "Dense"),
                Map.entry("ENGRAM_RETRIEVAL_DENSE_WEIGHT", "1"),
                Map.entry("ENGRAM_RERANKER", "none"),
                Map.entry("ENGRAM_INTENT_CLASSIFIER", "local"),
                Map.entry("ENGRAM_MEMORY_EXTRACTOR", " Local "),
                Map.entry("ENGRAM_SCHEDULE_PROMOTION_CRON", "30 4 * * *"),
                Map.entry("ENGRAM_SCHEDULE_INCREMENTAL_INGEST_ENABLED", "false"),
                Map.entry("ENGRAM_PROMOTION_MIN_AGE", "P2D"),
                Map.entry("ENGRAM_EPISODIC_TTL", "12h"),
                Map.entry("ENGRAM_INCREMENTAL_INGEST_DIRS", "notes=/srv/notes, /srv/docs"),
                Map.entry("ENGRAM_MIGRATE_ON_START", "true")));
    assertThat(s.ingestion().roots()).containsExactly(Path.of("/data"), Path.of("/srv/docs"));
    assertThat(s.index().chunkSize()).isEqualTo(512);
    assertThat(s.retrieval().mode()).isEqualTo(RetrievalSettings.Mode.DENSE);
    assertThat(s.retrieval().denseWeight()).isEqualTo(1.0);
    assertThat(s.reranker().kind()).isEqualTo(Rerankers.Kind.NONE);
    assertThat(s.intent().classifier()).isEqualTo(IntentSettings.Classifier.LOCAL);
    assertThat(s.extraction()).isEqualTo(FactExtraction.LOCAL);
    assertThat(s.memory().schedules().get(MemorySettings.PROMOTION).cron()).isEqualTo("30 4 * * *");
    assertThat(s.memory().schedules().get(MemorySettings.INCREMENTAL_INGEST).enabled()).isFalse();
    assertThat(s.memory().promotion().minAge()).isEqualTo(Duration.ofDays(2));
    assertThat(s.memory().episodicTtl()).isEqualTo(Duration.ofHours(12));
    assertThat(s.memory().incrementalIngest())
        .containsExactly(
            new MemorySettings.IngestSource("notes", Path.of("/srv/notes")),
            new MemorySettings.IngestSource("default", Path.of("/srv/docs")));
    // An explicit variable beats the profile's default.
    assertThat(s.database().migrateOnStart()).isTrue();
  }

  @Test
  void an_llm_endpoint_is_read_and_its_key_never_printed() {
    LlmSettings llm =
        EngramSettings.of(
                Map.of(
                    "ENGRAM_LLM_PROVIDER", "OpenAI",
                    "ENGRAM_LLM_BASE_URL", "http://127.0.0.1:8081/v1",
                    "ENGRAM_LLM_MODEL", "gemma-3-270m",
                    "ENGRAM_LLM_API_KEY", "sk-very-secret",
                    "ENGRAM_LLM_TIMEOUT_MS", "5000"))
            .llm();
    assertThat(llm.provider()).isEqualTo(LlmSettings.Provider.OPENAI);
    assertThat(llm.timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(llm.toString()).doesNotContain("sk-very-secret").contains("apiKey=***");
  }

  @Test
  void a_cross_encoder_is_configured_from_its_directory_and_limits() {
    CrossEncoderReranker.Settings ce =
        EngramSettings.of(
                Map.of(
                    "ENGRAM_RERANKER", "cross_encoder",
                    "ENGRAM_RERANKER_CROSS_ENCODER_DIR", "/models/bge-reranker-base",
                    "ENGRAM_RERANKER_CROSS_ENCODER_NAME", "bge-reranker-base-v1",
                    "ENGRAM_RERANKER_CROSS_ENCODER_TOP_N", "7",
                    "ENGRAM_ONNX_THREADS", "2"))
            .reranker()
            .crossEncoder();
    assertThat(ce)
        .isEqualTo(
            new CrossEncoderReranker.Settings(
                Path.of("/models/bge-reranker-base"), "bge-reranker-base-v1", 512, 7, 8, 2));
    assertThatThrownBy(() -> EngramSettings.of(Map.of("ENGRAM_RERANKER", "cross-encoder")))
        .hasMessageContaining("ENGRAM_RERANKER=cross-encoder needs")
        .hasMessageContaining("ENGRAM_RERANKER_CROSS_ENCODER_DIR");
  }

  @Test
  void bad_values_are_refused_naming_the_variable_and_where_the_value_came_from() {
    assertThatThrownBy(() -> EngramSettings.of(Map.of("ENGRAM_DB_URL", "postgres://u:secret@h/db")))
        .hasMessageContaining("jdbc:postgresql:")
        .hasMessageNotContaining("secret");
    assertThatThrownBy(() -> EngramSettings.of(Map.of("ENGRAM_CHUNK_OVERLAP", "2000")))
        .hasMessageContaining("ENGRAM_CHUNK_OVERLAP");
    assertThatThrownBy(() -> EngramSettings.of(Map.of("ENGRAM_RETRIEVAL_DENSE_WEIGHT", "1.5")))
        .hasMessage(
            "ENGRAM_RETRIEVAL_DENSE_WEIGHT must be a number in [0.0, 1.0], got '1.5' (from the"
                + " environment)");
    assertThatThrownBy(() -> EngramSettings.of(Map.of("ENGRAM_RERANKER", "onnx")))
        .hasMessageContaining("[none, linear, cross-encoder]")
        .hasMessageContaining("'onnx'");
    assertThatThrownBy(() -> EngramSettings.of(Map.of("ENGRAM_LLM_PROVIDER", "openai")))
        .hasMessageContaining("ENGRAM_LLM_BASE_URL");
    assertThatThrownBy(() -> EngramSettings.of(Map.of("ENGRAM_LLM_PROVIDER", "gpt")))
        .hasMessageContaining("[none, openai, ollama]");
    assertThatThrownBy(() -> EngramSettings.of(Map.of("ENGRAM_MEMORY_EXTRACTOR", "gpt")))
        .hasMessageContaining("ENGRAM_MEMORY_EXTRACTOR must be one of [auto, local, llm]");
    assertThatThrownBy(() -> EngramSettings.of(Map.of("ENGRAM_SCHEDULE_SALIENCE_CRON", "often")))
        .hasMessageContaining("cron");
    assertThatThrownBy(() -> EngramSettings.of(Map.of("ENGRAM_PROMOTION_MIN_AGE", "a week")))
        .hasMessageContaining("ENGRAM_PROMOTION_MIN_AGE");
    assertThatThrownBy(() -> EngramSettings.of(Map.of("ENGRAM_API_PORT", "eighty")))
        .hasMessageContaining("ENGRAM_API_PORT must be a whole number");
  }

  @Test
  void secrets_never_appear_in_to_string() {
    EngramSettings s =
        EngramSettings.of(
            Map.of(
                "ENGRAM_DB_PASSWORD", "hunter2",
                "ENGRAM_DB_URL", "jdbc:postgresql://h/db?password=hunter2",
                "ENGRAM_LLM_API_KEY", "sk-hunter2"));
    assertThat(s.toString()).doesNotContain("hunter2");
  }

  @Test
  void every_declared_setting_is_read_by_the_tree() {
    SettingsSource source = SettingsSource.of(Map.of());
    EngramSettings.from(source);
    assertThat(source.unread()).isEmpty();
  }

  @Test
  void a_worker_polls_every_task_queue_unless_told_to_poll_some() {
    assertThat(EngramSettings.defaults().worker().taskQueues())
        .containsExactly("ingest", "training", "maintenance", "llm");
    assertThat(
            EngramSettings.of(Map.of("ENGRAM_WORKER_TASK_QUEUES", " LLM, ingest,llm "))
                .worker()
                .taskQueues())
        .containsExactly("llm", "ingest");
    assertThatThrownBy(() -> EngramSettings.of(Map.of("ENGRAM_WORKER_TASK_QUEUES", " , ")))
        .hasMessageContaining("ENGRAM_WORKER_TASK_QUEUES must name at least one value");
  }

  @Test
  void durations_take_short_and_iso_forms() {
    assertThat(MemorySettings.parseDuration("90s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(MemorySettings.parseDuration("2w")).isEqualTo(Duration.ofDays(14));
    assertThat(MemorySettings.parseDuration("PT30M")).isEqualTo(Duration.ofMinutes(30));
  }

  @Test
  void a_search_space_the_build_cannot_honour_is_refused_at_start() {
    assertThatThrownBy(() -> EngramSettings.of(Map.of("ENGRAM_RETRAIN_SPACE", "full")))
        .hasMessageContaining("ENGRAM_RETRAIN_SPACE=full")
        .hasMessageContaining("use retrieval");
  }
}
