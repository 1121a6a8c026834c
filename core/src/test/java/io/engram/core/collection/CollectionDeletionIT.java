package io.engram.core.collection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engram.core.CoreServices;
import io.engram.core.config.EngramSettings;
import io.engram.core.registry.ModelAliases;
import io.engram.core.registry.RegisteredVersion;
import io.engram.core.rollout.Rollout;
import io.engram.core.rollout.RolloutPlan;
import io.engram.core.rollout.RolloutService;
import io.engram.testing.EngramServices;
import io.engram.testing.EngramServicesExtension;
import io.engram.testing.PostgresServer;
import io.engram.testing.TestSettings;
import io.engram.testing.ZooCorpus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A whole collection's deletion on real PostgreSQL: two collections with rows in every table kept
 * per collection; deleting one (in batches of three rows, so every purge takes several
 * transactions) leaves none of its rows and every row of the other; deleting it again deletes
 * nothing; while it is being deleted it is neither listed nor found, and nothing recreates it.
 */
@EngramServices
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CollectionDeletionIT {
  private static final String DOOMED = "zoo-doomed";
  private static final String KEPT = "zoo-kept";

  /** How many of a collection's rows each table holds, by the collection's key. */
  private static final Map<String, String> ROWS_OF =
      Map.ofEntries(
          Map.entry("collections", "SELECT count(*) FROM collections WHERE name = :c"),
          Map.entry("documents", "SELECT count(*) FROM documents WHERE collection = :c"),
          Map.entry("chunks", "SELECT count(*) FROM chunks WHERE collection = :c"),
          Map.entry(
              "document_indexes",
              "SELECT count(*) FROM document_indexes x JOIN documents d ON d.id = x.document_id"
                  + " WHERE d.collection = :c"),
          Map.entry(
              "ingestion_manifests",
              "SELECT count(*) FROM ingestion_manifests WHERE collection = :c"),
          Map.entry("ingestion_runs", "SELECT count(*) FROM ingestion_runs WHERE collection = :c"),
          Map.entry(
              "ingestion_items",
              "SELECT count(*) FROM ingestion_items i JOIN ingestion_runs r ON r.run_id = i.run_id"
                  + " WHERE r.collection = :c"),
          Map.entry("query_log", "SELECT count(*) FROM query_log WHERE collection = :c"),
          Map.entry(
              "feedback",
              "SELECT count(*) FROM feedback f JOIN query_log q ON q.id = f.query_id"
                  + " WHERE q.collection = :c"),
          Map.entry("sessions", "SELECT count(*) FROM sessions WHERE collection = :c"),
          Map.entry(
              "turns",
              "SELECT count(*) FROM turns t JOIN sessions s ON s.id = t.session_id"
                  + " WHERE s.collection = :c"),
          Map.entry(
              "distillation_state",
              "SELECT count(*) FROM distillation_state d JOIN sessions s ON s.id = d.session_id"
                  + " WHERE s.collection = :c"),
          Map.entry(
              "distillation_batches",
              "SELECT count(*) FROM distillation_batches d JOIN sessions s ON s.id = d.session_id"
                  + " WHERE s.collection = :c"),
          Map.entry("episodic_facts", "SELECT count(*) FROM episodic_facts WHERE collection = :c"),
          Map.entry("semantic_facts", "SELECT count(*) FROM semantic_facts WHERE collection = :c"),
          Map.entry(
              "fact_citations",
              "SELECT count(*) FROM fact_citations f WHERE (f.tier = 'episodic' AND f.fact_id IN"
                  + " (SELECT id FROM episodic_facts WHERE collection = :c)) OR (f.tier ="
                  + " 'semantic' AND f.fact_id IN (SELECT id FROM semantic_facts WHERE collection"
                  + " = :c))"),
          Map.entry("eval_runs", "SELECT count(*) FROM eval_runs WHERE collection = :c"),
          Map.entry(
              "eval_query_results",
              "SELECT count(*) FROM eval_query_results q JOIN eval_runs r ON r.id = q.eval_run_id"
                  + " WHERE r.collection = :c"),
          Map.entry(
              "eval_answer_results",
              "SELECT count(*) FROM eval_answer_results a JOIN eval_runs r ON r.id ="
                  + " a.eval_run_id WHERE r.collection = :c"),
          Map.entry("studies", "SELECT count(*) FROM studies WHERE collection = :c"),
          Map.entry(
              "trials",
              "SELECT count(*) FROM trials t JOIN studies s ON s.id = t.study_id"
                  + " WHERE s.collection = :c"),
          Map.entry("drift_reports", "SELECT count(*) FROM drift_reports WHERE collection = :c"),
          Map.entry("model_versions", "SELECT count(*) FROM model_versions WHERE collection = :c"),
          Map.entry("model_aliases", "SELECT count(*) FROM model_aliases WHERE collection = :c"),
          Map.entry(
              "model_alias_events",
              "SELECT count(*) FROM model_alias_events WHERE collection = :c"),
          Map.entry("rollouts", "SELECT count(*) FROM rollouts WHERE collection = :c"),
          Map.entry(
              "rollout_events",
              "SELECT count(*) FROM rollout_events e JOIN rollouts r ON r.id = e.rollout_id"
                  + " WHERE r.collection = :c"),
          Map.entry(
              "rollout_assignments",
              "SELECT count(*) FROM rollout_assignments a JOIN rollouts r ON r.id = a.rollout_id"
                  + " WHERE r.collection = :c"),
          Map.entry(
              "rollout_observations",
              "SELECT count(*) FROM rollout_observations o JOIN rollouts r ON r.id ="
                  + " o.rollout_id WHERE r.collection = :c"));

  private CoreServices core;
  private CollectionDeletion deletion;

  /** Connections of their own, beside the two of the pool the purge uses. */
  private Jdbi others;

  @BeforeAll
  void setUp() {
    String db = EngramServicesExtension.postgres().createDatabase("collection_deletion_it");
    core = CoreServices.open(EngramSettings.of(TestSettings.values(db, Map.of())), "it", 2);
    deletion = new CollectionDeletion(core.jdbi(), core.rollouts().rollouts(), 3);
    PostgresServer postgres = EngramServicesExtension.postgres();
    others = Jdbi.create(db, postgres.user(), postgres.password());
  }

  @AfterAll
  void tearDown() {
    core.close();
  }

  @Test
  void deletes_every_row_of_one_collection_in_batches_and_nothing_of_another() {
    fill(DOOMED);
    fill(KEPT);
    Map<String, Long> kept = counts(KEPT);
    Map<String, Long> doomed = counts(DOOMED);
    assertThat(doomed).allSatisfy((table, n) -> assertThat(n).as(table).isPositive());
    assertThat(kept).isEqualTo(doomed);
    // Every table a deletion purges is checked here, and every table checked is purged.
    assertThat(CollectionDeletion.kinds())
        .containsExactlyInAnyOrderElementsOf(
            ROWS_OF.keySet().stream().filter(t -> !t.equals("collections")).toList());
    long generation = core.collections().generation(DOOMED);

    assertThat(deletion.begin(DOOMED)).isEqualTo(CollectionRegistry.State.ACTIVE);
    // Marked: gone for every reader, its cached answers too, and nothing recreates it.
    assertThat(core.collections().generation(DOOMED)).isEqualTo(generation + 1);
    assertThat(core.collections().exists(DOOMED)).isFalse();
    assertThat(core.collections().keys(io.engram.core.tenant.Tenant.DEFAULT))
        .contains(KEPT)
        .doesNotContain(DOOMED);
    assertThatThrownBy(() -> core.collections().ensure(DOOMED))
        .isInstanceOf(CollectionDeletingException.class)
        .hasMessageContaining("is being deleted");
    assertThat(deletion.begin(DOOMED)).isEqualTo(CollectionRegistry.State.DELETING);
    assertThat(core.collections().generation(DOOMED)).isEqualTo(generation + 1);

    Map<String, Long> deleted = purgeAll(DOOMED);
    // A session written after its kind was purged (opened just before the mark) goes with the
    // collection's row rather than keeping it from going.
    core.jdbi()
        .useHandle(
            h ->
                h.execute(
                    "INSERT INTO sessions (id, collection) VALUES (gen_random_uuid(), ?)", DOOMED));
    assertThat(deletion.finish(DOOMED)).isTrue();

    assertThat(counts(DOOMED)).allSatisfy((table, n) -> assertThat(n).as(table).isZero());
    assertThat(counts(KEPT)).isEqualTo(kept);
    for (String kind : CollectionDeletion.kinds()) {
      assertThat(deleted.get(kind)).as(kind).isEqualTo(doomed.get(kind));
    }
    assertThat(core.collections().state(DOOMED)).isEqualTo(CollectionRegistry.State.ABSENT);

    // Again: nothing is there to mark, purge or remove.
    assertThat(deletion.begin(DOOMED)).isEqualTo(CollectionRegistry.State.ABSENT);
    assertThat(purgeAll(DOOMED)).allSatisfy((kind, n) -> assertThat(n).as(kind).isZero());
    assertThat(deletion.finish(DOOMED)).isFalse();
    assertThat(counts(KEPT)).isEqualTo(kept);
    // The name is free again, and the new collection's generation is past every one the old one
    // had, so no answer cached from the old one is served for it.
    core.collections().ensure(DOOMED);
    assertThat(core.collections().exists(DOOMED)).isTrue();
    assertThat(core.collections().generation(DOOMED)).isGreaterThan(generation + 1);
  }

  @Test
  void purges_nothing_of_a_collection_that_is_not_being_deleted() {
    String collection = "zoo-alive";
    ZooCorpus.index(core, collection);
    long chunks = counts(collection).get("chunks");

    assertThat(deletion.purge(collection, "chunks", n -> {})).isZero();
    assertThat(deletion.finish(collection)).isFalse();
    assertThat(counts(collection).get("chunks")).isEqualTo(chunks);
    assertThatThrownBy(() -> deletion.purge(collection, "collections", n -> {}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void a_running_rollout_is_what_the_database_says_stands_in_the_way() {
    String collection = "zoo-rolling";
    ZooCorpus.indexWithStagedCandidate(core, collection);
    RegisteredVersion staged =
        core.registry().alias(collection, ModelAliases.STAGING).orElseThrow();
    assertThat(deletion.runningRollout(collection)).isEmpty();
    Rollout running = rollOut(collection, staged.version());
    assertThat(deletion.runningRollout(collection))
        .hasValueSatisfying(r -> assertThat(r.id()).isEqualTo(running.id()));
  }

  /**
   * A row updated by another transaction while a purge picks it (a session's last activity) has a
   * new physical address when that transaction commits. The purge waits for it and deletes it, and
   * does not stop as if the collection had no such rows left.
   */
  @Test
  void a_row_updated_while_its_batch_is_picked_is_still_deleted() throws Exception {
    String collection = "zoo-racing";
    core.collections().ensure(collection);
    UUID session = UUID.randomUUID();
    core.jdbi()
        .useHandle(
            h ->
                h.execute(
                    "INSERT INTO sessions (id, collection) VALUES (?, ?)", session, collection));
    deletion.begin(collection);

    try (Handle writer = others.open()) {
      writer.begin();
      writer.execute("UPDATE sessions SET last_active_at = now() WHERE id = ?", session);
      CompletableFuture<Long> purge =
          CompletableFuture.supplyAsync(() -> deletion.purge(collection, "sessions", n -> {}));
      awaitPurgeWaitingForLock();
      writer.commit();
      assertThat(purge.get(30, TimeUnit.SECONDS)).isEqualTo(1);
    }
    assertThat(counts(collection).get("sessions")).isZero();
  }

  /** Until a statement that deletes sessions waits for a row lock, as the purge must here. */
  private void awaitPurgeWaitingForLock() throws InterruptedException {
    for (int i = 0; i < 300; i++) {
      boolean waiting =
          others.withHandle(
              h ->
                  h.createQuery(
                          "SELECT count(*) > 0 FROM pg_stat_activity WHERE wait_event_type ="
                              + " 'Lock' AND query LIKE 'DELETE FROM sessions%'")
                      .mapTo(Boolean.class)
                      .one());
      if (waiting) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the purge never waited for the updated session's lock");
  }

  /** Purges every kind in order, as the workflow does; the rows deleted by kind. */
  private Map<String, Long> purgeAll(String key) {
    Map<String, Long> deleted = new LinkedHashMap<>();
    for (String kind : CollectionDeletion.kinds()) {
      List<Long> seen = new ArrayList<>();
      long n = deletion.purge(key, kind, seen::add);
      deleted.put(kind, n);
      // Heartbeats count up batch by batch, three rows at a time.
      if (n > 3) {
        assertThat(seen).hasSizeGreaterThan(1);
      }
    }
    return deleted;
  }

  private Map<String, Long> counts(String key) {
    return core.jdbi()
        .withHandle(
            h -> {
              Map<String, Long> counts = new LinkedHashMap<>();
              ROWS_OF.forEach(
                  (table, sql) ->
                      counts.put(table, h.createQuery(sql).bind("c", key).mapTo(Long.class).one()));
              return counts;
            });
  }

  private Rollout rollOut(String collection, int candidate) {
    return core.rollouts()
        .begin(
            new RolloutService.Start(
                "rollout-" + collection,
                "run-" + collection + "-" + candidate,
                collection,
                candidate,
                "manual",
                "it",
                "testing deletion",
                RolloutPlan.Overrides.NONE));
  }

  /**
   * Fills every table kept per collection: documents, chunks and index records by indexing the zoo
   * corpus with a staged candidate (versions, aliases and their events), a rollout of it with
   * events, an assignment and an observation, and a row or more of everything else.
   */
  private void fill(String key) {
    ZooCorpus.indexWithStagedCandidate(core, key);
    RegisteredVersion staged = core.registry().alias(key, ModelAliases.STAGING).orElseThrow();
    Rollout rollout = rollOut(key, staged.version());
    core.rollouts().rollBack(rollout.id(), "it", "the test rolls it back", null);
    int index = core.champion().id();
    UUID session = UUID.randomUUID();
    UUID query = UUID.randomUUID();
    String run = "run-" + key;
    core.jdbi().useTransaction(h -> insertRows(h, key, index, rollout.id(), session, query, run));
  }

  private static void insertRows(
      Handle h, String key, int index, long rollout, UUID session, UUID query, String run) {
    h.createUpdate(
            "INSERT INTO rollout_assignments (rollout_id, session_id, arm) VALUES (:r, :s,"
                + " 'champion')")
        .bind("r", rollout)
        .bind("s", session)
        .execute();
    for (int i = 0; i < 4; i++) {
      h.createUpdate(
              "INSERT INTO rollout_observations (rollout_id, arm, latency_ms) VALUES (:r,"
                  + " 'champion', 1)")
          .bind("r", rollout)
          .execute();
    }
    h.createUpdate(
            "INSERT INTO ingestion_manifests (id, collection, origin, entries) VALUES (:id, :c,"
                + " 'upload', '[]')")
        .bind("id", UUID.randomUUID())
        .bind("c", key)
        .execute();
    h.createUpdate(
            "INSERT INTO ingestion_runs (run_id, workflow_id, collection, origin, index_version_id,"
                + " total, skipped) VALUES (:run, :run, :c, 'upload', :i, 2, 0)")
        .bind("run", run)
        .bind("c", key)
        .bind("i", index)
        .execute();
    for (int seq = 0; seq < 5; seq++) {
      h.createUpdate(
              "INSERT INTO ingestion_items (run_id, seq, source_uri, content_hash, locator) VALUES"
                  + " (:run, :seq, 'a.txt', 'h', '{\"kind\":\"file\",\"path\":\"a.txt\"}')")
          .bind("run", run)
          .bind("seq", seq)
          .execute();
    }
    for (int i = 0; i < 4; i++) {
      UUID id = i == 0 ? query : UUID.randomUUID();
      h.createUpdate(
              "INSERT INTO query_log (id, collection, query, model_version, answer_mode,"
                  + " latency_ms, top_chunk_ids, top_sources) VALUES (:id, :c, 'q', 'v1',"
                  + " 'extractive', 1, '{}', '{}')")
          .bind("id", id)
          .bind("c", key)
          .execute();
    }
    h.createUpdate("INSERT INTO feedback (query_id, rating) VALUES (:q, 1)")
        .bind("q", query)
        .execute();
    h.createUpdate("INSERT INTO sessions (id, collection, user_id) VALUES (:s, :c, 'ann')")
        .bind("s", session)
        .bind("c", key)
        .execute();
    long turn =
        h.createQuery(
                "INSERT INTO turns (session_id, role, text) VALUES (:s, 'user', 'I like tea')"
                    + " RETURNING id")
            .bind("s", session)
            .mapTo(Long.class)
            .one();
    h.createUpdate("INSERT INTO turns (session_id, role, text) VALUES (:s, 'assistant', 'Noted')")
        .bind("s", session)
        .execute();
    h.createUpdate(
            "INSERT INTO distillation_state (session_id, last_turn_id, updated_at) VALUES (:s,"
                + " :t, now())")
        .bind("s", session)
        .bind("t", turn)
        .execute();
    h.createUpdate(
            "INSERT INTO distillation_batches (session_id, to_turn_id, turn_ids, status,"
                + " created_at) VALUES (:s, :t, ARRAY[:t]::bigint[], 'done', now())")
        .bind("s", session)
        .bind("t", turn)
        .execute();
    long episodic =
        h.createQuery(
                "INSERT INTO episodic_facts (session_id, user_id, collection, subject, kind, text,"
                    + " normalized_text, embedding, embedding_model, confidence, salience,"
                    + " salience_at, created_at, expires_at, valid_from, source_turn_ids,"
                    + " extractor) VALUES (:s, 'ann', :c, 'ann', 'preference', 'Ann likes tea',"
                    + " 'ann likes tea', '[1,0,0]', 'm', 0.9, 0.5, now(), now(), now() +"
                    + " interval '30 days', now(), ARRAY[:t]::bigint[], 'local') RETURNING id")
            .bind("s", session)
            .bind("c", key)
            .bind("t", turn)
            .mapTo(Long.class)
            .one();
    long semantic =
        h.createQuery(
                "INSERT INTO semantic_facts (episodic_fact_id, collection, user_id, subject, kind,"
                    + " text, normalized_text, embedding, embedding_model, confidence, salience,"
                    + " citations, source_turn_ids, first_seen_at, promoted_at, promotion_run)"
                    + " VALUES (:e + 1000000, :c, 'ann', 'ann', 'preference', 'Ann likes tea',"
                    + " 'ann likes tea', '[1,0,0]', 'm', 0.9, 0.9, 6, ARRAY[:t]::bigint[], now(),"
                    + " now(), 'promotion-run') RETURNING id")
            .bind("e", episodic)
            .bind("c", key)
            .bind("t", turn)
            .mapTo(Long.class)
            .one();
    h.createUpdate(
            "INSERT INTO fact_citations (tier, fact_id, cited_at) VALUES ('episodic', :e, now()),"
                + " ('semantic', :s, now())")
        .bind("e", episodic)
        .bind("s", semantic)
        .execute();
    long evalRun =
        h.createQuery(
                "INSERT INTO eval_runs (workflow_id, dataset, split, part, collection,"
                    + " model_version, index_version_id, retrieval_options, query_count) VALUES"
                    + " (:w, 'zoo', 'test', 'all', :c, 'v1', :i, '{}', 2) RETURNING id")
            .bind("w", "eval-" + key)
            .bind("c", key)
            .bind("i", index)
            .mapTo(Long.class)
            .one();
    for (int seq = 0; seq < 2; seq++) {
      h.createUpdate(
              "INSERT INTO eval_query_results (eval_run_id, query_id, seq, query_text, relevant)"
                  + " VALUES (:r, :q, :seq, 'where', '{\"a0\": 1}')")
          .bind("r", evalRun)
          .bind("q", "q" + seq)
          .bind("seq", seq)
          .execute();
    }
    h.createUpdate(
            "INSERT INTO eval_answer_results (eval_run_id, query_id, slot) VALUES (:r, 'q0', 0)")
        .bind("r", evalRun)
        .execute();
    long older =
        h.createQuery(
                "INSERT INTO studies (collection, workflow_id, direction, space, sampler, seed)"
                    + " VALUES (:c, :w, 'maximize', '[]', 'tpe', 1) RETURNING id")
            .bind("c", key)
            .bind("w", "retrain-" + key + "-1")
            .mapTo(Long.class)
            .one();
    long newer =
        h.createQuery(
                "INSERT INTO studies (collection, workflow_id, direction, space, sampler, seed,"
                    + " warm_start_study_id) VALUES (:c, :w, 'maximize', '[]', 'tpe', 1, :o)"
                    + " RETURNING id")
            .bind("c", key)
            .bind("w", "retrain-" + key + "-2")
            .bind("o", older)
            .mapTo(Long.class)
            .one();
    for (long study : List.of(older, newer)) {
      h.createUpdate("INSERT INTO trials (study_id, number, params) VALUES (:s, 0, '{}')")
          .bind("s", study)
          .execute();
    }
    h.createUpdate(
            "INSERT INTO drift_reports (collection, model_version, reference_source,"
                + " reference_size, recent_size, status, features, trigger) VALUES (:c, 'v1',"
                + " 'first-served', 0, 0, 'insufficient_data', '{}', 'api')")
        .bind("c", key)
        .execute();
  }
}
