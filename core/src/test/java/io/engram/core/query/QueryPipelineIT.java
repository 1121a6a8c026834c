package io.engram.core.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.langchain4j.model.embedding.EmbeddingModel;
import io.engram.contract.Queries.Source;
import io.engram.core.CoreServices;
import io.engram.core.collection.CollectionRegistry;
import io.engram.core.embedding.EmbeddingModels;
import io.engram.core.index.IndexParams;
import io.engram.core.index.IndexVersion;
import io.engram.core.registry.ModelAliases;
import io.engram.core.registry.ModelRegistry;
import io.engram.core.registry.ModelVersions;
import io.engram.core.rerank.CrossEncoderReranker;
import io.engram.core.rerank.RerankerSettings;
import io.engram.core.rerank.Rerankers;
import io.engram.core.retrieval.Candidate;
import io.engram.core.store.PgVectorChunkStore;
import io.engram.core.tenant.Tenant;
import io.engram.testing.ChatStubServer;
import io.engram.testing.EngramServices;
import io.engram.testing.EngramServicesExtension;
import io.engram.testing.OpenAiStubServer;
import io.engram.testing.TestCrossEncoders;
import io.engram.testing.TestSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The query pipeline as the API and the evaluation worker build it ({@link CoreServices}): real
 * PostgreSQL + pgvector, real embeddings, both legs, fusion, then the model version's reranker
 * (here the test cross-encoder, whose logit is the share of the passage's wordpieces found in the
 * query), answers, the query log.
 */
@EngramServices
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueryPipelineIT {
  private CoreServices core;
  private QueryPipelines pipelines;
  private IndexVersion version;

  @BeforeAll
  void setUp(@TempDir Path models) throws Exception {
    Path crossEncoder =
        TestCrossEncoders.install(TestCrossEncoders.OVERLAP, models.resolve("overlap"));
    String db = EngramServicesExtension.postgres().createDatabase("query_pipeline_it");
    core =
        CoreServices.open(
            io.engram.core.config.EngramSettings.of(
                TestSettings.values(
                    db,
                    Map.of(
                        "ENGRAM_RERANKER",
                        "cross-encoder",
                        "ENGRAM_RERANKER_CROSS_ENCODER_DIR",
                        crossEncoder.toString()))),
            "it",
            4);
    version = core.champion();
    String[] texts = {
      "birds sing songs",
      "fish swim in rivers",
      "cats and dogs eat meat",
      "cats eat fish",
      "dogs chase cars"
    };
    core.collections().ensure("default");
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

  private static double logistic(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  @Test
  void the_cross_encoder_orders_the_fused_candidates_and_names_itself_in_the_model_version()
      throws Exception {
    QueryPipeline champion = pipelines.champion();
    QueryPipeline.Retrieval result = champion.retrieve("default", "cats eat fish", 3, true);

    assertThat(result.candidates())
        .extracting(h -> h.chunk().text())
        .containsExactly("cats eat fish", "cats and dogs eat meat", "fish swim in rivers");
    // 3 of 3, 2 of 5 and 1 of 4 passage wordpieces occur in the query.
    double[] scores = result.candidates().stream().mapToDouble(Candidate::score).toArray();
    assertThat(scores)
        .containsExactly(new double[] {logistic(1.0), logistic(0.4), logistic(0.25)}, within(1e-6));
    assertThat(result.modelVersion()).isEqualTo(version.name() + "+cross-encoder:overlap");
    assertThat(result.timings()).containsKey("rerankMs");
    // One pipeline per model version, reused.
    assertThat(pipelines.champion()).isSameAs(champion);
  }

  @Test
  void without_rerank_the_fusion_order_and_the_index_version_alone() throws Exception {
    QueryPipeline plain =
        pipelines.forIndex(version, core.settings().retrieval().withRerank(false));
    QueryPipeline.Retrieval result = plain.retrieve("default", "cats eat fish", 3, true);
    assertThat(result.modelVersion()).isEqualTo(version.name());
    assertThat(result.timings()).doesNotContainKey("rerankMs");
    // The same reranker instance serves every version that names the same settings.
    assertThat(pipelines.reranker(core.settings().reranker()))
        .isSameAs(pipelines.reranker(core.settings().reranker()))
        .isInstanceOf(CrossEncoderReranker.class);
    assertThat(pipelines.reranker(RerankerSettings.none()).name()).isEqualTo("none");
    assertThat(Rerankers.Kind.NONE.value()).isEqualTo("none");
  }

  @Test
  void a_sessionless_question_is_answered_from_the_reranked_sources_and_logged() throws Exception {
    QueryResult answered =
        pipelines
            .champion()
            .ask(new Question(Tenant.DEFAULT, "Which cats eat fish?", null, null, 2, true));

    assertThat(answered.intent()).isEqualTo("question");
    assertThat(answered.answerMode()).isEqualTo("extractive");
    assertThat(answered.sources()).extracting(Source::source).first().isEqualTo("d3");
    assertThat(answered.answer()).startsWith("cats eat fish").endsWith("[1]");
    assertThat(answered.modelVersion()).isEqualTo(pipelines.champion().name());
    assertThat(answered.timings()).containsKeys("intentMs", "embedMs", "rerankMs", "totalMs");
    assertThat(answered.cached()).isFalse();
  }

  @Test
  void a_question_beside_a_statement_is_searched_for_what_it_asks_and_says_so() throws Exception {
    QueryResult plain =
        pipelines
            .champion()
            .ask(new Question(Tenant.DEFAULT, "Which cats eat fish?", null, null, 2, true));
    QueryResult stated =
        pipelines
            .champion()
            .ask(
                new Question(
                    Tenant.DEFAULT, "I love dogs. Which cats eat fish?", null, null, 2, true));

    assertThat(plain.rewrittenQuery()).isNull();
    assertThat(stated.intent()).isEqualTo("question");
    assertThat(stated.rewrittenQuery()).isEqualTo("Which cats eat fish?");
    assertThat(stated.sources()).extracting(Source::source).first().isEqualTo("d3");
  }

  @Test
  void the_second_identical_question_is_served_from_the_response_cache() throws Exception {
    Question q = new Question(Tenant.DEFAULT, "dogs chase what?", null, "default", 1, false);
    assertThat(pipelines.champion().ask(q).cached()).isFalse();
    QueryResult again = pipelines.champion().ask(q);
    assertThat(again.cached()).isTrue();
    assertThat(again.sources()).extracting(Source::source).containsExactly("d4");
    // Asking for a fresh answer bypasses the cache.
    assertThat(
            pipelines
                .champion()
                .ask(new Question(Tenant.DEFAULT, q.text(), null, "default", 1, true))
                .cached())
        .isFalse();
  }

  @Test
  void a_removed_document_is_neither_found_nor_served_from_the_response_cache() {
    core.collections().ensure("removals");
    EmbeddingModel embeddings = EmbeddingModels.get(version.embeddingModel());
    List<Long> ids = new ArrayList<>();
    core.jdbi()
        .useTransaction(
            h -> {
              for (String text :
                  List.of("penguins huddle together against the cold", "camels cross deserts")) {
                long doc =
                    h.createQuery(
                            "INSERT INTO documents (collection, source_uri, origin, external_id)"
                                + " VALUES ('removals', :uri, 'o', :id) RETURNING id")
                        .bind("uri", "o#r" + ids.size())
                        .bind("id", "r" + ids.size())
                        .mapTo(Long.class)
                        .one();
                PgVectorChunkStore.replaceChunks(
                    h,
                    doc,
                    version.id(),
                    List.of(text),
                    List.of(embeddings.embed(text).content().vector()));
                ids.add(doc);
              }
            });
    Question q =
        new Question(Tenant.DEFAULT, "how do penguins keep warm?", null, "removals", 1, false);
    assertThat(pipelines.ask(q).sources()).extracting(Source::source).containsExactly("r0");
    assertThat(pipelines.ask(q).cached()).isTrue();
    // A change to another collection leaves this one's answers.
    core.jdbi().useHandle(h -> CollectionRegistry.changed(h, "default"));
    assertThat(pipelines.ask(q).cached()).isTrue();

    assertThat(core.catalog().remove("removals", ids.get(0)).orElseThrow().chunks()).isEqualTo(1);

    try {
      QueryResult after = pipelines.ask(q);
      assertThat(after.cached()).isFalse();
      assertThat(after.sources()).extracting(Source::source).containsExactly("r1");
    } finally {
      // The other tests count the passages of the index.
      core.catalog().remove("removals", ids.get(1));
    }
  }

  @Test
  void a_cached_answer_keeps_the_warning_its_llm_answer_came_with() {
    // The LLM replies without citing a passage: a warning the answer is cached with.
    try (OpenAiStubServer llm =
            OpenAiStubServer.start(r -> ChatStubServer.Reply.completion("Birds sing songs."));
        CoreServices withLlm =
            CoreServices.open(
                io.engram.core.config.EngramSettings.of(
                    TestSettings.values(
                        core.settings().database().url(),
                        Map.of(
                            "ENGRAM_LLM_PROVIDER", "openai",
                            "ENGRAM_LLM_BASE_URL", llm.baseUrl(),
                            "ENGRAM_LLM_MODEL", "stub"))),
                "it",
                2)) {
      QueryPipelines answering =
          withLlm.queryPipelines(new SimpleMeterRegistry(), ExchangeListener.NONE);
      Question q = new Question(Tenant.DEFAULT, "which animals sing?", null, "default", 2, false);

      QueryResult first = answering.ask(q);
      QueryResult again = answering.ask(q);

      assertThat(first.answerMode()).isEqualTo("llm");
      assertThat(first.warning()).isEqualTo("the LLM answer cites no source");
      assertThat(again.cached()).isTrue();
      assertThat(again.warning()).isEqualTo(first.warning());
      assertThat(llm.requests()).hasSize(1);
    }
  }

  @Test
  void a_statement_without_a_session_is_not_acknowledged_as_kept() {
    QueryResult said =
        pipelines.ask(
            new Question(Tenant.DEFAULT, "I work as a nurse.", null, "default", 2, false));

    assertThat(said.intent()).isEqualTo("memory-statement");
    assertThat(said.answer()).contains("only remember that within a conversation");
    assertThat(said.sources()).isEmpty();
  }

  @Test
  void the_warm_up_prepares_every_passage_and_asks_questions_of_the_corpus() {
    WarmUp warmUp = new WarmUp(pipelines, core.chunks(), 3, List::of);
    assertThat(warmUp.report().state()).isEqualTo(WarmUp.State.WAITING);

    WarmUp.Report report = warmUp.run();

    assertThat(report.state()).isEqualTo(WarmUp.State.DONE);
    assertThat(report.passages()).isEqualTo(5);
    assertThat(report.questions()).isEqualTo(3);
    assertThat(warmUp.report()).isEqualTo(report);
    // Warm-up questions are not users' queries: nothing is logged.
    long logged =
        core.jdbi()
            .withHandle(
                h ->
                    h.createQuery(
                            "SELECT count(*) FROM query_log WHERE query IN ('birds sing"
                                + " songs', 'fish swim in rivers', 'cats and dogs eat meat',"
                                + " 'cats eat fish', 'dogs chase cars')")
                        .mapTo(Long.class)
                        .one());
    assertThat(logged).isZero();
  }

  @Test
  void the_warm_up_also_warms_each_collection_served_from_another_index() {
    // A collection whose champion searches an index of the other embedding model.
    String other =
        Stream.of("all-minilm-l6-v2-q", "bge-small-en-v1.5-q")
            .filter(m -> !m.equals(version.embeddingModel()))
            .findFirst()
            .orElseThrow();
    IndexVersion index = core.indexVersions().resolve(version, new IndexParams(other, null, null));
    core.collections().ensure("elsewhere");
    EmbeddingModel embeddings = EmbeddingModels.get(other);
    core.jdbi()
        .useTransaction(
            h -> {
              for (String text : List.of("owls hunt at night", "herons wade in ponds")) {
                long doc =
                    h.createQuery(
                            "INSERT INTO documents (collection, source_uri, origin, title) VALUES"
                                + " ('elsewhere', :uri, 'o', NULL) RETURNING id")
                        .bind("uri", "o#" + text)
                        .mapTo(Long.class)
                        .one();
                PgVectorChunkStore.replaceChunks(
                    h,
                    doc,
                    index.id(),
                    List.of(text),
                    List.of(embeddings.embed(text).content().vector()));
              }
            });
    core.registry()
        .register(
            ModelVersions.NewVersion.builder("elsewhere", index.id(), core.defaultBundle())
                .createdBy("it")
                .reason("served from an index of its own")
                .origin("it")
                .build(),
            List.of(ModelAliases.CHAMPION),
            new ModelRegistry.Change("it", "the test serves it", null));

    // "default" has no registered version: the installation champion serves it, warmed once.
    WarmUp.Report report =
        new WarmUp(pipelines, core.chunks(), 3, () -> List.of("default", "elsewhere")).run();

    assertThat(report.state()).isEqualTo(WarmUp.State.DONE);
    assertThat(report.passages()).isEqualTo(5 + 2);
    assertThat(report.questions()).isEqualTo(3 + 2);
    assertThat(pipelines.champion("elsewhere").version().index().embeddingModel()).isEqualTo(other);
  }

  @Test
  void unknown_collections_sessions_and_versions_are_named() throws Exception {
    assertThatThrownBy(
            () ->
                pipelines
                    .champion()
                    .ask(new Question(Tenant.DEFAULT, "cats", null, "nowhere", 3, false)))
        .isInstanceOf(UnknownResourceException.class)
        .hasMessageContaining("no collection 'nowhere'");
    assertThatThrownBy(
            () ->
                pipelines
                    .champion()
                    .ask(
                        new Question(
                            Tenant.DEFAULT, "cats", java.util.UUID.randomUUID(), null, 3, false)))
        .isInstanceOf(UnknownResourceException.class)
        .extracting(e -> ((UnknownResourceException) e).resource())
        .isEqualTo("session");
    core.collections().ensure("elsewhere");
    java.util.UUID session = core.workingMemory().createSession("default", null);
    Question contradictory = new Question(Tenant.DEFAULT, "cats", session, "elsewhere", 3, false);
    for (org.assertj.core.api.ThrowableAssert.ThrowingCallable asked :
        List.<org.assertj.core.api.ThrowableAssert.ThrowingCallable>of(
            () -> pipelines.ask(contradictory), () -> pipelines.champion().ask(contradictory))) {
      assertThatThrownBy(asked)
          .isInstanceOf(ContradictoryQuestionException.class)
          .hasMessageContaining("was opened on collection 'default', not 'elsewhere'")
          .extracting(e -> ((ContradictoryQuestionException) e).field())
          .isEqualTo("/collection");
    }
    assertThat(core.workingMemory().recentTurns(session, 5)).isEmpty();
    // Naming the session's own collection is no contradiction.
    assertThat(
            pipelines
                .ask(new Question(Tenant.DEFAULT, "cats", session, "default", 3, false))
                .intent())
        .isEqualTo("question");
    assertThatThrownBy(() -> pipelines.forIndexVersion("no-such-version"))
        .isInstanceOf(UnknownResourceException.class)
        .hasMessageContaining("no-such-version");
  }
}
