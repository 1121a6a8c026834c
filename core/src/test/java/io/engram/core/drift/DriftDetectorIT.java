package io.engram.core.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.langchain4j.model.embedding.EmbeddingModel;
import io.engram.core.CoreServices;
import io.engram.core.config.EngramSettings;
import io.engram.core.embedding.EmbeddingModels;
import io.engram.core.index.IndexVersion;
import io.engram.core.query.ExchangeListener;
import io.engram.core.query.QueryPipelines;
import io.engram.core.query.QueryResult;
import io.engram.core.query.Question;
import io.engram.core.querylog.QueryLog;
import io.engram.core.store.PgVectorChunkStore;
import io.engram.core.tenant.Tenant;
import io.engram.core.training.TrainingSettings;
import io.engram.testing.EngramServices;
import io.engram.testing.EngramServicesExtension;
import io.engram.testing.TestSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Drift features and checks on real PostgreSQL: the query path logs a live query's features, the
 * lexemes computed in Java are PostgreSQL's, and the detector's windows (first and last queries of
 * the serving version, the reference left out of the recent window) and stored reports.
 */
@EngramServices
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DriftDetectorIT {
  private static final TrainingSettings.Drift SMALL =
      new TrainingSettings.Drift(20, 10, 0.1, 0.25, 0.01);

  private CoreServices core;
  private QueryPipelines pipelines;

  @BeforeAll
  void setUp() throws Exception {
    String db = EngramServicesExtension.postgres().createDatabase("drift_detector_it");
    core = CoreServices.open(EngramSettings.of(TestSettings.values(db, Map.of())), "it", 4);
    IndexVersion version = core.champion();
    String[] texts = {"birds sing songs", "fish swim in rivers", "cats eat fish"};
    core.collections().ensure("default");
    core.collections().ensure("synthetic");
    EmbeddingModel embeddings = EmbeddingModels.get(version.embeddingModel());
    core.jdbi()
        .useTransaction(
            h -> {
              for (int i = 0; i < texts.length; i++) {
                long doc =
                    h.createQuery(
                            "INSERT INTO documents (collection, source_uri, origin, external_id,"
                                + " title) VALUES ('default', :uri, 'o', :id, NULL) RETURNING id")
                        .bind("uri", "o#d" + i)
                        .bind("id", "d" + i)
                        .mapTo(Long.class)
                        .one();
                PgVectorChunkStore.replaceChunks(
                    h,
                    doc,
                    version.id(),
                    List.of(texts[i]),
                    List.of(embeddings.embed(texts[i]).content().vector()));
              }
            });
    pipelines = core.queryPipelines(new SimpleMeterRegistry(), ExchangeListener.NONE);
  }

  @AfterAll
  void tearDown() {
    core.close();
  }

  @Test
  void a_live_query_is_logged_with_its_features() {
    QueryResult known =
        pipelines
            .champion()
            .ask(new Question(Tenant.DEFAULT, "Do the cats eat fish?", null, "default", 2, true));
    QueryResult unknown =
        pipelines
            .champion()
            .ask(new Question(Tenant.DEFAULT, "zebra quantum cats", null, "default", 2, true));

    QueryFeatures k = awaitFeatures(known.queryId());
    // Five words; "do" and "the" are stopwords, "cat", "eat" and "fish" are all in the index.
    assertThat(k.queryTerms()).isEqualTo(5);
    assertThat(k.unknownTermShare()).isZero();
    assertThat(k.topDenseScore()).isBetween(0.3, 1.0);
    assertThat(k.topFusedScore()).isBetween(0.0, 1.0);
    assertThat(k.scoreSpread()).isNotNull().isGreaterThanOrEqualTo(0.0);
    QueryFeatures u = awaitFeatures(unknown.queryId());
    assertThat(u.queryTerms()).isEqualTo(3);
    assertThat(u.unknownTermShare()).isCloseTo(2 / 3.0, within(1e-12));
    assertThat(u.topDenseScore()).isLessThan(k.topDenseScore());
  }

  @Test
  void small_talk_is_logged_without_features() {
    QueryResult hello =
        pipelines.champion().ask(new Question(Tenant.DEFAULT, "hello", null, "default", 2, true));

    await().atMost(Duration.ofSeconds(10)).until(() -> row(hello.queryId(), "query").isPresent());
    assertThat(row(hello.queryId(), "query_terms").orElse(null)).isNull();
  }

  @Test
  void the_lexemes_computed_in_java_are_postgresqls() {
    List<String> texts =
        List.of(
            "Does aspirin prevent heart attacks in adults?",
            "Which treatments were studied for generalized anxiety disorders?",
            "Running happily, the researchers' mice ate 2020 pellets of H1N1 vaccine",
            "Is coffee consumption associated with lower rates of liver cirrhosis?",
            "What are the effects of vitamin D supplementation on bone density?");
    for (String text : texts) {
      List<String> postgres =
          core.jdbi()
              .withHandle(
                  h ->
                      h.createQuery(
                              "SELECT lexeme FROM unnest(to_tsvector('english', :text))"
                                  + " ORDER BY lexeme")
                          .bind("text", text)
                          .mapTo(String.class)
                          .list());
      assertThat(EnglishLexemes.analyze(text).lexemes().stream().distinct().sorted().toList())
          .as(text)
          .isEqualTo(postgres);
    }
  }

  @Test
  void the_recent_window_follows_the_reference_and_drift_needs_enough_of_both() {
    QueryLog log = core.queryLog();
    DriftDetector detector =
        new DriftDetector(
            log,
            new FirstServedReference(log, collection -> "v1"),
            new DriftReports(core.jdbi()),
            SMALL,
            new DriftMetrics(new SimpleMeterRegistry()));
    // Another version's queries are neither reference nor recent.
    insert(log, "v0", 30, 5.0);
    // The reference is the first 20 (the window) of the version's queries.
    insert(log, "v1", 20, 0.0);

    DriftReport onlyReference = detector.check("synthetic", DriftReport.API, null);
    assertThat(onlyReference.referenceSize()).isEqualTo(20);
    assertThat(onlyReference.recentSize()).isZero();
    assertThat(onlyReference.drift()).isNull();
    assertThat(onlyReference.status()).isEqualTo(DriftAnalysis.INSUFFICIENT_DATA);

    insert(log, "v1", 12, 0.0);
    DriftReport same = detector.check("synthetic", DriftReport.API, null);
    assertThat(same.referenceSize()).isEqualTo(20);
    assertThat(same.recentSize()).isEqualTo(12);
    assertThat(same.drift()).isFalse();
    assertThat(same.modelVersion()).isEqualTo("v1");
    assertThat(same.referenceSource()).isEqualTo(FirstServedReference.SOURCE);

    insert(log, "v1", 20, 5.0);
    DriftReport shifted = detector.check("synthetic", DriftReport.SCHEDULE, "wf/run/synthetic");
    assertThat(shifted.recentSize()).isEqualTo(20);
    assertThat(shifted.drift()).isTrue();
    assertThat(shifted.features().get(Feature.TOP_DENSE_SCORE).recentMean())
        .isGreaterThan(shifted.features().get(Feature.TOP_DENSE_SCORE).referenceMean());

    // A retried check of the same workflow run stores nothing new.
    insert(log, "v1", 20, 0.0);
    DriftReport retried = detector.check("synthetic", DriftReport.SCHEDULE, "wf/run/synthetic");
    assertThat(retried.id()).isEqualTo(shifted.id());
    assertThat(retried.drift()).isTrue();
    assertThat(detector.reports(Tenant.DEFAULT, "synthetic", 10))
        .extracting(DriftReport::id)
        .containsExactly(shifted.id(), same.id(), onlyReference.id());
    assertThat(detector.reports(Tenant.DEFAULT, "synthetic", 10).get(0).features())
        .isEqualTo(shifted.features());
    assertThat(detector.collections()).contains("synthetic");
  }

  /** {@code n} queries of {@code version} whose scores sit around {@code shift}. */
  private static void insert(QueryLog log, String version, int n, double shift) {
    for (int i = 0; i < n; i++) {
      double jitter = (i % 7) / 70.0;
      log.record(
          new QueryLog.Entry(
              UUID.randomUUID(),
              "synthetic",
              null,
              "q" + i,
              version,
              "extractive",
              1.0,
              List.of(),
              List.of(),
              new QueryFeatures(
                  4 + (int) shift + i % 3,
                  0.1 * (i % 2) + shift / 10,
                  0.5 + jitter + shift / 10,
                  0.8 + jitter / 2 + shift / 100,
                  0.1 + jitter + shift / 10),
              QueryLog.Routing.NONE));
    }
  }

  private QueryFeatures awaitFeatures(String queryId) {
    await().atMost(Duration.ofSeconds(10)).until(() -> row(queryId, "query_terms").isPresent());
    return core.jdbi()
        .withHandle(
            h ->
                h.createQuery(
                        "SELECT query_terms, unknown_term_share, top_dense_score, top_fused_score,"
                            + " score_spread FROM query_log WHERE id = :id")
                    .bind("id", UUID.fromString(queryId))
                    .map(
                        (rs, ctx) ->
                            new QueryFeatures(
                                rs.getInt(1),
                                rs.getDouble(2),
                                rs.getObject(3, Double.class),
                                rs.getObject(4, Double.class),
                                rs.getObject(5, Double.class)))
                    .one());
  }

  private Optional<Object> row(String queryId, String column) {
    return core.jdbi()
        .withHandle(
            h ->
                h.createQuery("SELECT " + column + " FROM query_log WHERE id = :id")
                    .bind("id", UUID.fromString(queryId))
                    .map((rs, ctx) -> Optional.ofNullable(rs.getObject(1)))
                    .findOne()
                    .flatMap(o -> o));
  }
}
