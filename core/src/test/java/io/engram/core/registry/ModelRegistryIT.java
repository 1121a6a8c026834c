package io.engram.core.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.engram.core.CoreServices;
import io.engram.core.config.EngramSettings;
import io.engram.core.query.ExchangeListener;
import io.engram.core.query.QueryPipeline;
import io.engram.core.query.QueryPipelines;
import io.engram.core.query.UnknownResourceException;
import io.engram.core.rerank.RerankerSettings;
import io.engram.core.rerank.Rerankers;
import io.engram.core.retrieval.RetrievalSettings;
import io.engram.testing.EngramServices;
import io.engram.testing.EngramServicesExtension;
import io.engram.testing.TestSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The registry on real PostgreSQL, as the processes build it: version 1 migrated from an install's
 * champion, registrations numbered per collection and idempotent per origin, aliases with their
 * audit, the champion's previous, production approval, and serving by alias.
 */
@EngramServices
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ModelRegistryIT {
  private final ExecutorService racing = Executors.newFixedThreadPool(2);
  private CoreServices core;
  private ModelRegistry registry;

  @BeforeAll
  void setUp() {
    String db = EngramServicesExtension.postgres().createDatabase("model_registry_it");
    core = CoreServices.open(EngramSettings.of(TestSettings.values(db, Map.of())), "it", 4);
    registry = core.registry();
    core.collections().ensure("notes");
    core.collections().ensure("papers");
  }

  @AfterAll
  void tearDown() {
    racing.shutdownNow();
    core.close();
  }

  private RegisteredVersion register(String collection, String origin, RetrievalSettings r) {
    return registry.register(
        ModelVersions.NewVersion.builder(
                collection, core.champion().id(), new ModelBundle(r, RerankerSettings.none(), null))
            .metrics(Map.of("held-out", Map.of("ndcgAt10", 0.71)))
            .lineage(Map.of("fingerprint", "abc"))
            .gates(List.of(new RegisteredVersion.Gate("floor", true, "0.71 >= 0.5")))
            .createdBy("test")
            .reason("a test version")
            .origin(origin)
            .build(),
        List.of(ModelAliases.STAGING),
        new ModelRegistry.Change("test", "staged by the test", "wf-1"));
  }

  @Test
  void an_install_without_versions_gets_its_champion_as_version_1_with_the_weights_stored() {
    RegisteredVersion v1 =
        registry.bootstrap("notes", core.champion(), core.defaultBundle()).orElseThrow();

    assertThat(v1.version()).isEqualTo(1);
    assertThat(v1.aliases()).containsExactly(ModelAliases.CHAMPION);
    assertThat(v1.bundle().reranker().kind()).isEqualTo(Rerankers.Kind.LINEAR);
    assertThat(v1.artifacts())
        .singleElement()
        .satisfies(a -> assertThat(a.name()).isEqualTo("reranker"));
    assertThat(v1.bundle().reranker().artifact()).isEqualTo(v1.artifacts().get(0).sha256());
    assertThat(new String(registry.artifact(v1.bundle().reranker().artifact())))
        .contains("linear-scifact-v1");
    // Idempotent: a second start registers nothing.
    assertThat(registry.bootstrap("notes", core.champion(), core.defaultBundle()))
        .hasValueSatisfying(v -> assertThat(v.id()).isEqualTo(v1.id()));
    assertThat(registry.list("notes")).hasSize(1);

    // Serving resolves the alias to the version and builds its bundle, weights from the artifact.
    QueryPipelines pipelines =
        core.queryPipelines(new SimpleMeterRegistry(), ExchangeListener.NONE);
    QueryPipeline serving = pipelines.champion("notes");
    assertThat(serving.name()).isEqualTo("notes/v1");
    assertThat(serving.version().reranker().artifact())
        .isEqualTo(v1.bundle().reranker().artifact());
    assertThat(pipelines.reranker(serving.version().reranker()).name())
        .isEqualTo("linear-scifact-v1");
  }

  @Test
  void versions_are_numbered_per_collection_and_a_retried_registration_adds_nothing() {
    RetrievalSettings r = core.settings().retrieval();
    RegisteredVersion first = register("papers", "run-a", r);
    RegisteredVersion again = register("papers", "run-a", r);
    RegisteredVersion second = register("papers", "run-b", r.withRerank(false));

    assertThat(first.version()).isEqualTo(1);
    assertThat(again.id()).isEqualTo(first.id());
    assertThat(second.version()).isEqualTo(2);
    assertThat(second.aliases()).containsExactly(ModelAliases.STAGING);
    assertThat(registry.find("papers", 1).orElseThrow().aliases()).isEmpty();
    assertThat(second.metrics()).containsKey("held-out");
    assertThat(second.gates()).extracting(RegisteredVersion.Gate::name).containsExactly("floor");
    assertThat(registry.list("papers"))
        .extracting(RegisteredVersion::version)
        .containsExactly(2, 1);
  }

  @Test
  void a_staged_version_promoted_by_hand_leaves_staging_and_another_staged_one_keeps_it() {
    RetrievalSettings r = core.settings().retrieval();
    core.collections().ensure("staged");
    register("staged", "s1", r);
    register("staged", "s2", r.withRerank(false));
    register("staged", "s3", r);
    registry.promote("staged", ModelAliases.CHAMPION, 1, false, change("first champion"));
    registry.promote("staged", ModelAliases.STAGING, 2, false, change("gates passed"));

    registry.promote("staged", ModelAliases.CHAMPION, 2, false, change("by hand"));

    assertThat(registry.alias("staged", ModelAliases.STAGING)).isEmpty();
    assertThat(registry.events().list("staged", 10))
        .extracting(e -> e.alias() + ":" + e.from() + "->" + e.to())
        .contains("staging:2->null");

    // Staging on another version than the one promoted stays where it is.
    registry.promote("staged", ModelAliases.STAGING, 3, false, change("gates passed"));
    registry.promote("staged", ModelAliases.CHAMPION, 1, false, change("back"));
    assertThat(registry.alias("staged", ModelAliases.STAGING))
        .hasValueSatisfying(v -> assertThat(v.version()).isEqualTo(3));
  }

  @Test
  void promoting_the_champion_keeps_the_old_one_as_previous_and_audits_both_moves() {
    RetrievalSettings r = core.settings().retrieval();
    core.collections().ensure("promoted");
    RegisteredVersion v1 = register("promoted", "p1", r);
    RegisteredVersion v2 = register("promoted", "p2", r.withRerank(false));
    registry.promote("promoted", ModelAliases.CHAMPION, 1, false, change("first champion"));

    registry.promote("promoted", ModelAliases.CHAMPION, 2, false, change("v2 won"));

    assertThat(registry.alias("promoted", ModelAliases.CHAMPION))
        .hasValueSatisfying(v -> assertThat(v.version()).isEqualTo(2));
    assertThat(registry.alias("promoted", ModelAliases.PREVIOUS))
        .hasValueSatisfying(v -> assertThat(v.version()).isEqualTo(1));
    assertThat(registry.events().list("promoted", 10))
        .extracting(e -> e.alias() + ":" + e.from() + "->" + e.to() + ":" + e.reason())
        .startsWith(
            "staging:2->null:v2 won", // v2 was staged: serving, it waits for no rollout
            "champion:1->2:v2 won",
            "previous:null->1:champion moved to v2");
    assertThat(v1.id()).isNotEqualTo(v2.id());

    // The serving version cannot be archived; another can, and then carries no alias.
    assertThatThrownBy(() -> registry.archive("promoted", 2, change("no")))
        .isInstanceOf(RegistryConflictException.class)
        .hasMessageContaining("serves as champion");
    RegisteredVersion archived = registry.archive("promoted", 1, change("superseded"));
    assertThat(archived.status()).isEqualTo(RegisteredVersion.ARCHIVED);
    assertThat(archived.aliases()).isEmpty();
    // Who, when and why are kept, the first time only.
    assertThat(archived.tags().get("archived"))
        .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ by tester: superseded");
    assertThat(registry.archive("promoted", 1, change("again")).tags()).isEqualTo(archived.tags());
    assertThatThrownBy(
            () -> registry.promote("promoted", ModelAliases.CHAMPION, 1, false, change("back")))
        .isInstanceOf(RegistryConflictException.class)
        .hasMessageContaining("archived");
    assertThatThrownBy(
            () -> registry.promote("promoted", ModelAliases.CHAMPION, 9, false, change("x")))
        .isInstanceOf(UnknownResourceException.class)
        .hasMessageContaining("promoted/v9");
  }

  @Test
  void production_needs_approval_to_move_the_champion() {
    ModelRegistry production = new ModelRegistry(core.jdbi(), core.blobs(), true);
    core.collections().ensure("prod");
    register("prod", "prod-1", core.settings().retrieval());

    assertThatThrownBy(
            () -> production.promote("prod", ModelAliases.CHAMPION, 1, false, change("unapproved")))
        .isInstanceOf(RegistryConflictException.class)
        .extracting(e -> ((RegistryConflictException) e).reason())
        .isEqualTo(RegistryConflictException.Reason.APPROVAL_REQUIRED);
    assertThat(
            production
                .promote("prod", ModelAliases.CHAMPION, 1, true, change("approved"))
                .aliases())
        .contains(ModelAliases.CHAMPION);
  }

  @Test
  void a_promote_waits_for_an_archive_of_its_version_and_then_refuses() {
    RetrievalSettings r = core.settings().retrieval();
    core.collections().ensure("raced");
    register("raced", "r1", r);
    registry.promote("raced", ModelAliases.CHAMPION, 1, false, change("first champion"));
    RegisteredVersion v2 = register("raced", "r2", r.withRerank(false));

    CompletableFuture<RegisteredVersion> promote;
    try (Handle archiving = core.jdbi().open()) {
      // An archive of v2 in flight: its status changed, not yet committed.
      archiving.begin();
      ModelVersions.setStatus(archiving, v2.id(), RegisteredVersion.ARCHIVED);
      promote =
          CompletableFuture.supplyAsync(
              () -> registry.promote("raced", ModelAliases.CHAMPION, 2, false, change("raced")),
              racing);
      await().atMost(Duration.ofSeconds(30)).until(() -> promote.isDone() || waitingOnALock());
      assertThat(promote).as("the promote waits for the archive").isNotDone();
      archiving.commit();
    }

    assertThatThrownBy(promote::join)
        .hasCauseInstanceOf(RegistryConflictException.class)
        .hasMessageContaining("archived");
    assertThat(registry.alias("raced", ModelAliases.CHAMPION))
        .hasValueSatisfying(v -> assertThat(v.version()).isEqualTo(1));
  }

  @Test
  void an_archive_waits_for_a_champion_move_onto_its_version_and_then_refuses() throws Exception {
    RetrievalSettings r = core.settings().retrieval();
    core.collections().ensure("raced-back");
    register("raced-back", "rb1", r);
    registry.promote("raced-back", ModelAliases.CHAMPION, 1, false, change("first champion"));
    register("raced-back", "rb2", r.withRerank(false));
    CountDownLatch moved = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);

    // A champion move onto v2, held open inside its transaction.
    CompletableFuture<RegisteredVersion> promote =
        CompletableFuture.supplyAsync(
            () ->
                registry.promote(
                    "raced-back",
                    ModelAliases.CHAMPION,
                    2,
                    false,
                    change("v2 wins"),
                    null,
                    h -> {
                      moved.countDown();
                      try {
                        release.await();
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                      }
                    }),
            racing);
    assertThat(moved.await(30, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<RegisteredVersion> archive =
        CompletableFuture.supplyAsync(
            () -> registry.archive("raced-back", 2, change("old")), racing);
    await().atMost(Duration.ofSeconds(30)).until(() -> archive.isDone() || waitingOnALock());
    assertThat(archive).as("the archive waits for the move").isNotDone();
    release.countDown();

    assertThat(promote.join().aliases()).contains(ModelAliases.CHAMPION);
    assertThatThrownBy(archive::join)
        .hasCauseInstanceOf(RegistryConflictException.class)
        .hasMessageContaining("serves as champion");
    assertThat(registry.find("raced-back", 2).orElseThrow().status())
        .isEqualTo(RegisteredVersion.REGISTERED);
  }

  /** Whether a session of this database waits for a row lock. */
  private boolean waitingOnALock() {
    return core.jdbi()
            .withHandle(
                h ->
                    h.createQuery(
                            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                                + " AND wait_event_type = 'Lock'")
                        .mapTo(Long.class)
                        .one())
        > 0;
  }

  private static ModelRegistry.Change change(String reason) {
    return new ModelRegistry.Change("tester", reason, null);
  }
}
