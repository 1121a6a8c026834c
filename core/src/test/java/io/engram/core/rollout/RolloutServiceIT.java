package io.engram.core.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.engram.contract.Queries.Source;
import io.engram.core.CoreServices;
import io.engram.core.config.EngramSettings;
import io.engram.core.query.ExchangeListener;
import io.engram.core.query.QueryResult;
import io.engram.core.query.Question;
import io.engram.core.registry.ModelAliases;
import io.engram.core.registry.ModelRegistry;
import io.engram.core.registry.ModelVersions;
import io.engram.core.registry.RegisteredVersion;
import io.engram.core.registry.RegistryConflictException;
import io.engram.core.tenant.Tenant;
import io.engram.testing.EngramServices;
import io.engram.testing.EngramServicesExtension;
import io.engram.testing.TestSettings;
import io.engram.testing.ZooCorpus;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Rollouts on real PostgreSQL, as the processes build them: routing read from the database, sticky
 * conversations, shadow comparisons, interleaving with click attribution, and the decisions with
 * the registry's aliases moving (or not) in the same transaction, and undo.
 */
@EngramServices
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RolloutServiceIT {
  private static final AtomicInteger RUNS = new AtomicInteger();

  private CoreServices core;
  private RolloutService service;
  private RolloutRouter router;

  @BeforeAll
  void setUp() {
    String db = EngramServicesExtension.postgres().createDatabase("rollout_service_it");
    // Routing read on every request, so a test sees each move at once.
    core =
        CoreServices.open(
            EngramSettings.of(
                TestSettings.values(db, Map.of("ENGRAM_ROLLOUT_ROUTING_TTL_MS", "0"))),
            "it",
            4);
    service = core.rollouts();
    router = core.rolloutRouter(new SimpleMeterRegistry(), ExchangeListener.NONE);
  }

  @AfterAll
  void tearDown() {
    core.close();
  }

  /** A collection with the zoo as v1 (champion) and a dense-only v2 staged. */
  private String collectionWithCandidate(String name) {
    ZooCorpus.indexWithStagedCandidate(core, name);
    return name;
  }

  private Rollout begin(String collection) {
    int n = RUNS.incrementAndGet();
    return service.begin(
        new RolloutService.Start(
            "rollout-" + collection + "-v2",
            "run-" + n,
            collection,
            2,
            "manual",
            "it",
            "testing",
            RolloutPlan.Overrides.NONE));
  }

  /** Begins a rollout of version {@code candidate} of {@code collection}. */
  private Rollout beginOf(String collection, int candidate) {
    return service.begin(
        new RolloutService.Start(
            "rollout-" + collection + "-v" + candidate,
            "run-" + RUNS.incrementAndGet(),
            collection,
            candidate,
            "manual",
            "it",
            "testing",
            RolloutPlan.Overrides.NONE));
  }

  private QueryResult ask(String collection, String text, UUID session) {
    return router.ask(
        new Question(Tenant.DEFAULT, text, session, session == null ? collection : null, 5, true));
  }

  @Test
  void begins_in_shadow_once_per_run_and_one_rollout_per_collection() {
    String collection = collectionWithCandidate("zoo-begin");
    Rollout r = begin(collection);

    assertThat(r.routing().phase()).isEqualTo(Phase.SHADOW);
    assertThat(r.routing().shadowShare()).isEqualTo(0.2);
    assertThat(r.candidateLabel()).isEqualTo(collection + "/v2");
    assertThat(r.championLabel()).isEqualTo(collection + "/v1");
    // The same run begins the same rollout; another run is refused while it runs.
    assertThat(
            service
                .begin(
                    new RolloutService.Start(
                        r.workflowId(),
                        r.start().runId(),
                        collection,
                        2,
                        "manual",
                        "it",
                        null,
                        RolloutPlan.Overrides.NONE))
                .id())
        .isEqualTo(r.id());
    assertThatThrownBy(() -> begin(collection))
        .isInstanceOf(RolloutConflictException.class)
        .hasMessageContaining("already running");
    assertThatThrownBy(() -> service.validate(collection, 1, RolloutPlan.Overrides.NONE))
        .isInstanceOf(RolloutConflictException.class)
        .hasMessageContaining("already the champion");
    assertThat(service.status(r.workflowId()).orElseThrow().events())
        .extracting(RolloutEvents.Event::kind)
        .containsExactly(RolloutEvents.PHASE);
  }

  @Test
  void shadow_mirrors_queries_off_the_request_path_and_the_check_reads_them() {
    String collection = collectionWithCandidate("zoo-shadow");
    Rollout r = begin(collection);
    // Everything mirrored, so every lookup is compared.
    core.jdbi()
        .useHandle(h -> h.execute("UPDATE rollouts SET shadow_share = 1 WHERE id = ?", r.id()));

    for (int i = 0; i < 12; i++) {
      QueryResult answer = ask(collection, ZooCorpus.question(i), null);
      assertThat(answer.modelVersion()).isEqualTo(collection + "/v1");
      assertThat(answer.arm()).isEqualTo(Arm.CHAMPION);
    }

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> service.check(r.id()).window().get(Arm.SHADOW).queries() == 12);
    RolloutCheck check = service.check(r.id());
    RolloutObservations.ArmStats shadow = check.window().get(Arm.SHADOW);
    assertThat(shadow.errors()).isZero();
    assertThat(shadow.overlap()).isBetween(0.0, 1.0);
    assertThat(shadow.p95Ms()).isNotNull();
    assertThat(shadow.baselineP95Ms()).isNotNull();
    assertThat(check.verdict()).isEqualTo(RolloutJudge.Kind.WAIT);
    assertThat(check.exposure()).isZero();
    assertThat(service.require(r.id()).lastCheck()).contains("\"verdict\": \"WAIT\"");
  }

  @Test
  void a_conversation_keeps_its_arm_while_the_shares_grow() {
    String collection = collectionWithCandidate("zoo-sticky");
    Rollout r = begin(collection);
    service.enter(r.id(), Phase.CANARY, 1, "k1");

    Map<UUID, String> arms = new HashMap<>();
    for (int i = 0; i < 40; i++) {
      UUID session = core.workingMemory().createSession(collection, null);
      QueryResult answer = ask(collection, "where does the alpaca live", session);
      arms.put(session, answer.arm());
      assertThat(answer.modelVersion())
          .isEqualTo(
              switch (answer.arm()) {
                case Arm.CANDIDATE -> collection + "/v2";
                case Arm.INTERLEAVED -> "interleaved(" + collection + "/v1," + collection + "/v2)";
                default -> collection + "/v1";
              });
    }
    service.enter(r.id(), Phase.CANARY, 3, "k3");

    for (Map.Entry<UUID, String> e : arms.entrySet()) {
      assertThat(ask(collection, "and the albatross", e.getKey()).arm()).isEqualTo(e.getValue());
    }
    // At 50 % and 10 % interleaved, about half the new conversations meet the candidate.
    long candidate =
        java.util.stream.IntStream.range(0, 60)
            .mapToObj(i -> core.workingMemory().createSession(collection, null))
            .map(s -> ask(collection, "where does the alpaca live", s).arm())
            .filter(Arm.CANDIDATE::equals)
            .count();
    assertThat(candidate).isBetween(15L, 50L);
  }

  @Test
  void clicks_on_interleaved_results_are_credited_to_the_arm_that_ranked_them() {
    String collection = collectionWithCandidate("zoo-clicks");
    Rollout r = begin(collection);
    // Every conversation interleaved.
    core.jdbi()
        .useHandle(
            h ->
                h.execute(
                    "UPDATE rollouts SET phase = 'canary', step = 1, interleave_share = 1"
                        + " WHERE id = ?",
                    r.id()));
    int candidateClicks = 0;
    int championClicks = 0;
    for (int i = 0; i < 10; i++) {
      QueryResult answer = ask(collection, ZooCorpus.question(i), null);
      assertThat(answer.arm()).isEqualTo(Arm.INTERLEAVED);
      String team = teamOfFirst(answer);
      if (team.equals(Arm.CANDIDATE)) {
        candidateClicks++;
      } else {
        championClicks++;
      }
      String source = answer.sources().get(0).source();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  new io.engram.core.querylog.Feedback(core.jdbi(), core.queryLog())
                      .record(Tenant.DEFAULT, UUID.fromString(answer.queryId()), 1, source, null)
                      .isPresent());
    }

    RolloutObservations.Comparisons comparisons = service.check(r.id()).comparisons();
    assertThat(comparisons.wins()).isEqualTo(candidateClicks);
    assertThat(comparisons.losses()).isEqualTo(championClicks);
    assertThat(comparisons.interleaved()).isEqualTo(10);
  }

  private String teamOfFirst(QueryResult answer) {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                core.jdbi()
                        .withHandle(
                            h ->
                                h.createQuery("SELECT count(*) FROM query_log WHERE id = ?")
                                    .bind(0, UUID.fromString(answer.queryId()))
                                    .mapTo(Integer.class)
                                    .one())
                    == 1);
    return core.jdbi()
        .withHandle(
            h ->
                h.createQuery("SELECT teams[1] FROM query_log WHERE id = ?")
                    .bind(0, UUID.fromString(answer.queryId()))
                    .mapTo(String.class)
                    .one());
  }

  @Test
  void promotion_moves_the_aliases_with_the_decision_and_undo_restores_the_answers() {
    String collection = collectionWithCandidate("zoo-promote");
    List<String> before = sources(ask(collection, "where does the alpaca live", null));
    Rollout r = begin(collection);
    service.enter(r.id(), Phase.CANARY, 1, "p1");

    Rollout promoted = service.promote(r.id(), RolloutService.WORKFLOW, "the candidate won", "p2");

    assertThat(promoted.outcome().status()).isEqualTo(Rollout.PROMOTED);
    assertThat(promoted.outcome().retainUntil()).isNotNull();
    assertThat(promoted.routing().phase()).isEqualTo(Phase.DECIDED);
    assertThat(core.registry().alias(collection, ModelAliases.CHAMPION).orElseThrow().version())
        .isEqualTo(2);
    assertThat(core.registry().alias(collection, ModelAliases.PREVIOUS).orElseThrow().version())
        .isEqualTo(1);
    assertThat(core.registry().alias(collection, ModelAliases.STAGING)).isEmpty();
    assertThat(core.registry().events().list(collection, 10))
        .anyMatch(e -> e.alias().equals("champion") && r.workflowId().equals(e.workflowId()));
    QueryResult after = ask(collection, "where does the alpaca live", null);
    assertThat(after.modelVersion()).isEqualTo(collection + "/v2");
    assertThat(after.arm()).isNull();
    // A decision is made once.
    assertThat(service.rollBack(r.id(), "it", "too late", "p3").outcome().status())
        .isEqualTo(Rollout.PROMOTED);

    Rollout undone = service.undo(r.id(), "operator", null);

    assertThat(undone.outcome().status()).isEqualTo(Rollout.UNDONE);
    QueryResult again = ask(collection, "where does the alpaca live", null);
    assertThat(again.modelVersion()).isEqualTo(collection + "/v1");
    assertThat(sources(again)).isEqualTo(before);
    assertThatThrownBy(() -> service.undo(r.id(), "operator", null))
        .isInstanceOf(RolloutConflictException.class);
    assertThat(service.status(r.workflowId()).orElseThrow().events())
        .extracting(RolloutEvents.Event::kind)
        .containsExactly(
            RolloutEvents.PHASE, RolloutEvents.PHASE, RolloutEvents.DECISION, RolloutEvents.UNDO);
  }

  @Test
  void a_rollback_archives_the_candidate_and_leaves_the_champion() {
    String collection = collectionWithCandidate("zoo-rollback");
    Rollout r = begin(collection);

    Rollout back = service.rollBack(r.id(), RolloutService.WORKFLOW, "latency", "b1");

    assertThat(back.outcome().status()).isEqualTo(Rollout.ROLLED_BACK);
    assertThat(back.outcome().reason()).isEqualTo("latency");
    assertThat(back.outcome().retainUntil()).isNotNull();
    RegisteredVersion candidate = core.registry().find(collection, 2).orElseThrow();
    assertThat(candidate.status()).isEqualTo(RegisteredVersion.ARCHIVED);
    assertThat(candidate.aliases()).isEmpty();
    assertThat(core.registry().alias(collection, ModelAliases.CHAMPION).orElseThrow().version())
        .isEqualTo(1);
    assertThat(router.routing(collection).rollout()).isNull();
  }

  @Test
  void a_rollback_of_the_previous_champion_keeps_it_registered_as_the_way_back() {
    String collection = collectionWithCandidate("zoo-rollback-previous");
    ModelRegistry.Change byHand = new ModelRegistry.Change("operator", "by hand", null);
    core.registry().promote(collection, ModelAliases.CHAMPION, 2, true, byHand);
    Rollout r = beginOf(collection, 1);

    Rollout back = service.rollBack(r.id(), "qa", "aborted by qa: qa abort", "bp1");

    assertThat(back.outcome().status()).isEqualTo(Rollout.ROLLED_BACK);
    // Nothing of it waits for retention: it stays registered, and its index with it.
    assertThat(back.outcome().retainUntil()).isNull();
    RegisteredVersion v1 = core.registry().find(collection, 1).orElseThrow();
    assertThat(v1.status()).isEqualTo(RegisteredVersion.REGISTERED);
    assertThat(v1.aliases()).containsExactly(ModelAliases.PREVIOUS);
    assertThat(v1.tags())
        .containsEntry(
            ModelVersions.ROLLOUT_TAG,
            "rolled back: aborted by qa: qa abort; not archived: it has served as champion");
    assertThat(core.registry().alias(collection, ModelAliases.CHAMPION).orElseThrow().version())
        .isEqualTo(2);
    assertThat(
            service
                .rollouts()
                .losersRetainedUntil(java.time.Instant.now().plus(Duration.ofDays(3650))))
        .noneMatch(l -> l.rolloutWorkflowId().equals(r.workflowId()));
    assertThat(decision(r))
        .isEqualTo(
            "rolled back: aborted by qa: qa abort; "
                + collection
                + "/v1 not archived: it has served as champion and is previous,"
                + " the collection's way back");
    // It can still carry an alias: the way back is open.
    assertThat(
            core.registry().promote(collection, ModelAliases.CHAMPION, 1, true, byHand).aliases())
        .contains(ModelAliases.CHAMPION);
  }

  @Test
  void a_rollback_of_a_former_champion_without_an_alias_keeps_it_registered() {
    String collection = collectionWithCandidate("zoo-rollback-former");
    int v3 = registerAnother(collection);
    ModelRegistry.Change byHand = new ModelRegistry.Change("operator", "by hand", null);
    core.registry().promote(collection, ModelAliases.CHAMPION, 2, true, byHand);
    core.registry().promote(collection, ModelAliases.CHAMPION, v3, true, byHand);
    assertThat(core.registry().find(collection, 1).orElseThrow().aliases()).isEmpty();
    Rollout r = beginOf(collection, 1);

    Rollout back = service.rollBack(r.id(), RolloutService.WORKFLOW, "latency", "bf1");

    assertThat(back.outcome().status()).isEqualTo(Rollout.ROLLED_BACK);
    assertThat(back.outcome().retainUntil()).isNull();
    assertThat(core.registry().find(collection, 1).orElseThrow().status())
        .isEqualTo(RegisteredVersion.REGISTERED);
    assertThat(decision(r))
        .isEqualTo(
            "rolled back: latency; " + collection + "/v1 not archived: it has served as champion");
  }

  @Test
  void the_candidate_of_a_running_rollout_cannot_be_archived_by_hand() {
    String collection = collectionWithCandidate("zoo-archive");
    Rollout r = begin(collection);
    ModelRegistry.Change byHand = new ModelRegistry.Change("operator", "clean up", null);

    assertThatThrownBy(() -> service.archive(collection, 2, byHand))
        .isInstanceOf(RolloutConflictException.class)
        .hasMessageContaining("candidate of the running rollout " + r.workflowId())
        .hasMessageContaining("abort the rollout first");
    RegisteredVersion candidate = core.registry().find(collection, 2).orElseThrow();
    assertThat(candidate.status()).isEqualTo(RegisteredVersion.REGISTERED);
    assertThat(candidate.aliases()).containsExactly(ModelAliases.STAGING);
    // It still promotes, and once the rollout has ended the old champion archives as any other.
    service.promote(r.id(), RolloutService.WORKFLOW, "the candidate won", "a1");
    assertThat(core.registry().alias(collection, ModelAliases.CHAMPION).orElseThrow().version())
        .isEqualTo(2);
    assertThat(service.archive(collection, 1, byHand).status())
        .isEqualTo(RegisteredVersion.ARCHIVED);
  }

  @Test
  void a_promotion_after_the_champion_was_moved_by_hand_moves_nothing() {
    String collection = collectionWithCandidate("zoo-promote-moved");
    int v3 = registerAnother(collection);
    Rollout r = begin(collection);
    core.registry()
        .promote(
            collection,
            ModelAliases.CHAMPION,
            v3,
            true,
            new ModelRegistry.Change("operator", "by hand", null));

    // The approval lands before the next check would have noticed.
    assertThatThrownBy(() -> service.promote(r.id(), "alice", "approved", "m1"))
        .isInstanceOf(RegistryConflictException.class)
        .hasMessageContaining("champion of " + collection + " points at v3, not v1");

    assertThat(core.registry().alias(collection, ModelAliases.CHAMPION).orElseThrow().version())
        .isEqualTo(v3);
    assertThat(core.registry().alias(collection, ModelAliases.STAGING).orElseThrow().version())
        .isEqualTo(2);
    assertThat(service.require(r.id()).running()).isTrue();
    assertThat(service.status(r.workflowId()).orElseThrow().events())
        .extracting(RolloutEvents.Event::kind)
        .doesNotContain(RolloutEvents.DECISION);
    // The workflow then rolls back: the hand-made champion stays.
    service.rollBack(r.id(), RolloutService.WORKFLOW, "the promotion was refused", "m2");
    assertThat(core.registry().alias(collection, ModelAliases.CHAMPION).orElseThrow().version())
        .isEqualTo(v3);
  }

  @Test
  void a_promotion_racing_another_decision_moves_nothing() throws Exception {
    String collection = collectionWithCandidate("zoo-promote-ended");
    Rollout r = begin(collection);
    ExecutorService racing = Executors.newSingleThreadExecutor();
    try (Handle other = core.jdbi().open()) {
      // Another decision ends the rollout; not yet committed when the promotion reads it.
      other.begin();
      assertThat(Rollouts.end(other, r.id(), Rollout.KEPT, "another decision", null)).isTrue();
      Future<Rollout> promote =
          racing.submit(() -> service.promote(r.id(), "alice", "approved", "e1"));
      await().atMost(Duration.ofSeconds(30)).until(() -> promote.isDone() || waitingOnALock());
      assertThat(promote).as("the promotion waits for the other decision").isNotDone();
      other.commit();

      assertThatThrownBy(promote::get)
          .hasCauseInstanceOf(RolloutConflictException.class)
          .hasMessageContaining("has ended meanwhile");
    } finally {
      racing.shutdownNow();
    }
    assertThat(core.registry().alias(collection, ModelAliases.CHAMPION).orElseThrow().version())
        .isEqualTo(1);
    assertThat(core.registry().alias(collection, ModelAliases.STAGING).orElseThrow().version())
        .isEqualTo(2);
    assertThat(service.require(r.id()).outcome().status()).isEqualTo(Rollout.KEPT);
  }

  @Test
  void a_promotion_cannot_be_undone_while_another_rollout_of_the_collection_runs() {
    String collection = collectionWithCandidate("zoo-undo-running");
    Rollout a = begin(collection);
    service.promote(a.id(), RolloutService.WORKFLOW, "the candidate won", "u1");
    int v3 = registerAnother(collection);
    Rollout b =
        service.begin(
            new RolloutService.Start(
                "rollout-" + collection + "-v" + v3,
                "run-b-" + RUNS.incrementAndGet(),
                collection,
                v3,
                "manual",
                "it",
                null,
                RolloutPlan.Overrides.NONE));

    assertThatThrownBy(() -> service.undo(a.id(), "operator", null))
        .isInstanceOf(RolloutConflictException.class)
        .hasMessageContaining("rollout " + b.workflowId() + " of " + collection + "/v3 is running")
        .hasMessageContaining("before undoing " + a.workflowId());

    assertThat(core.registry().alias(collection, ModelAliases.CHAMPION).orElseThrow().version())
        .isEqualTo(2);
    assertThat(service.require(a.id()).outcome().status()).isEqualTo(Rollout.PROMOTED);
    // B compares what it started with, so its check does not fail as "moved by hand".
    assertThat(service.check(b.id()).reason()).doesNotContain("moved by hand");
    // Once B has ended, A undoes.
    service.keep(b.id(), RolloutService.WORKFLOW, "no difference", "u2");
    assertThat(service.undo(a.id(), "operator", null).outcome().status()).isEqualTo(Rollout.UNDONE);
    assertThat(core.registry().alias(collection, ModelAliases.CHAMPION).orElseThrow().version())
        .isEqualTo(1);
  }

  /** Registers another version of {@code collection} (no alias) and returns its number. */
  private int registerAnother(String collection) {
    RegisteredVersion v1 = core.registry().alias(collection, ModelAliases.CHAMPION).orElseThrow();
    return core.registry()
        .register(
            ModelVersions.NewVersion.builder(collection, v1.indexVersionId(), v1.bundle())
                .gates(List.of())
                .createdBy("it")
                .reason("another version")
                .origin("it-another-" + collection)
                .build(),
            List.of(),
            new ModelRegistry.Change("it", "registered for the test", null))
        .version();
  }

  /** Whether a session of this database waits for a row lock. */
  private boolean waitingOnALock() {
    return core.jdbi()
            .withHandle(
                h ->
                    h.createQuery(
                            "SELECT count(*) FROM pg_stat_activity"
                                + " WHERE datname = current_database()"
                                + " AND wait_event_type = 'Lock'")
                        .mapTo(Long.class)
                        .one())
        > 0;
  }

  @Test
  void keeping_the_champion_leaves_the_candidate_staged_and_tagged() {
    String collection = collectionWithCandidate("zoo-keep");
    Rollout r = begin(collection);

    service.keep(r.id(), RolloutService.WORKFLOW, "no difference within 2000 comparisons", "c1");

    RegisteredVersion candidate = core.registry().find(collection, 2).orElseThrow();
    assertThat(candidate.aliases()).containsExactly(ModelAliases.STAGING);
    assertThat(candidate.tags())
        .containsEntry("rollout", "kept: no difference within 2000 comparisons");
    assertThat(service.require(r.id()).outcome().status()).isEqualTo(Rollout.KEPT);
  }

  @Test
  void a_champion_moved_by_hand_fails_the_check_and_routing_follows_the_alias() {
    String collection = collectionWithCandidate("zoo-moved");
    Rollout r = begin(collection);
    service.signal(r.id(), "pause", "bob", null, "h0");
    assertThat(service.checkIntegrity(r.id(), "h0c")).isEmpty();
    core.registry()
        .promote(
            collection,
            ModelAliases.CHAMPION,
            2,
            true,
            new ModelRegistry.Change("operator", "by hand", null));

    assertThat(router.routing(collection).rollout()).isNull();
    RolloutCheck check = service.check(r.id());
    assertThat(check.verdict()).isEqualTo(RolloutJudge.Kind.FAIL);
    assertThat(check.reason()).contains("champion alias was moved by hand to v2");
    // A paused rollout checks only this, and the audit says so.
    assertThat(service.checkIntegrity(r.id(), "h0d")).contains(check.reason());
    assertThat(service.status(r.workflowId()).orElseThrow().events())
        .filteredOn(e -> e.kind().equals(RolloutEvents.CHECK))
        .singleElement()
        .satisfies(
            e ->
                assertThat(e.detail())
                    .isEqualTo("fail: " + check.reason() + " (checked while paused)"));

    // The rollout ends; the candidate, promoted by hand, serves on: it is neither archived nor
    // said to be, and nothing of it waits for retention.
    Rollout ended = service.rollBack(r.id(), RolloutService.WORKFLOW, check.reason(), "h1");
    assertThat(ended.outcome().status()).isEqualTo(Rollout.SUPERSEDED);
    assertThat(ended.outcome().retainUntil()).isNull();
    assertThat(core.registry().find(collection, 2).orElseThrow().status())
        .isEqualTo(RegisteredVersion.REGISTERED);
    assertThat(decision(r))
        .endsWith(collection + "/v2 was promoted by hand and serves")
        .doesNotContain("archived");
  }

  /** The detail of the rollout's one decision in its audit. */
  private String decision(Rollout r) {
    List<RolloutEvents.Event> decisions =
        service.status(r.workflowId()).orElseThrow().events().stream()
            .filter(e -> e.kind().equals(RolloutEvents.DECISION))
            .toList();
    assertThat(decisions).hasSize(1);
    return decisions.get(0).detail();
  }

  private static List<String> sources(QueryResult r) {
    return r.sources().stream().map(Source::source).toList();
  }
}
