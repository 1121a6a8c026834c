package io.engram.core.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engram.core.CoreServices;
import io.engram.core.config.EngramSettings;
import io.engram.core.querylog.Feedback;
import io.engram.core.querylog.QueryLog;
import io.engram.core.registry.ModelAliases;
import io.engram.core.registry.RegisteredVersion;
import io.engram.core.rollout.Rollout;
import io.engram.core.rollout.RolloutPlan;
import io.engram.core.rollout.RolloutService;
import io.engram.core.tenant.Tenant;
import io.engram.testing.EngramServices;
import io.engram.testing.EngramServicesExtension;
import io.engram.testing.TestSettings;
import io.engram.testing.ZooCorpus;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.SqlStatements;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Forgetting a user on real PostgreSQL: tenant alpha has users ann and bob, each with sessions in
 * two collections and rows in every table that holds a session's or a user's data, an anonymous
 * session beside them, and tenant beta has a user called ann too. Forgetting alpha's ann (in
 * batches of three rows, so every kind takes several transactions) leaves none of her rows,
 * anonymizes the queries she asked and the comments she gave, and leaves every row of bob's, of the
 * anonymous session's and of beta's ann as it was; forgetting her again changes nothing.
 */
@EngramServices
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class UserForgettingIT {
  private static final Instant NOW = Instant.parse("2026-03-02T10:00:00Z");
  private static final Tenant ALPHA = new Tenant("alpha");
  private static final Tenant BETA = new Tenant("beta");

  /** The user's sessions, by {@code :tenant} and {@code :user}. */
  private static final String SESSIONS =
      "(SELECT id FROM sessions WHERE tenant = :tenant AND user_id = :user)";

  /**
   * Each table holding a user's rows, with the condition that picks the user's; the query log and
   * feedback by the ids of the queries asked in the user's sessions ({@code :queries}), which
   * anonymizing unlinks from them.
   */
  private static final Map<String, String> OF_USER =
      Map.ofEntries(
          Map.entry("sessions", "tenant = :tenant AND user_id = :user"),
          Map.entry("turns", "session_id IN " + SESSIONS),
          Map.entry("distillation_state", "session_id IN " + SESSIONS),
          Map.entry("distillation_batches", "session_id IN " + SESSIONS),
          Map.entry("episodic_facts", "tenant = :tenant AND user_id = :user"),
          Map.entry("semantic_facts", "tenant = :tenant AND user_id = :user"),
          Map.entry(
              "fact_citations",
              "(tier = 'episodic' AND fact_id IN (SELECT id FROM episodic_facts WHERE tenant ="
                  + " :tenant AND user_id = :user)) OR (tier = 'semantic' AND fact_id IN (SELECT"
                  + " id FROM semantic_facts WHERE tenant = :tenant AND user_id = :user))"),
          Map.entry("rollout_assignments", "session_id IN " + SESSIONS),
          Map.entry(
              "embedding_cache",
              "(model, content_hash) IN (SELECT embedding_model, encode(sha256(convert_to(text,"
                  + " 'UTF8')), 'hex') FROM episodic_facts WHERE tenant = :tenant AND user_id ="
                  + " :user UNION SELECT embedding_model, encode(sha256(convert_to(text, 'UTF8')),"
                  + " 'hex') FROM semantic_facts WHERE tenant = :tenant AND user_id = :user)"),
          Map.entry("query_log", "id = ANY (:queries)"),
          Map.entry("feedback", "query_id = ANY (:queries)"));

  private CoreServices core;
  private UserForgetting forgetting;

  @BeforeAll
  void setUp() {
    String db = EngramServicesExtension.postgres().createDatabase("user_forgetting_it");
    core = CoreServices.open(EngramSettings.of(TestSettings.values(db, Map.of())), "it", 2);
    forgetting = new UserForgetting(core.jdbi(), Clock.fixed(NOW, ZoneOffset.UTC), 3);
    core.jdbi().useHandle(h -> h.execute("INSERT INTO tenants (id) VALUES ('alpha'), ('beta')"));
    for (String key : List.of("alpha~zoo", "beta~zoo")) {
      ZooCorpus.indexWithStagedCandidate(core, key);
    }
    core.collections().ensure("alpha~notes");
    core.collections().ensure("beta~notes");
    long alphaRollout = rollout("alpha~zoo");
    long betaRollout = rollout("beta~zoo");
    core.jdbi()
        .useTransaction(
            h -> {
              fill(h, "ann", List.of("alpha~zoo", "alpha~notes"), alphaRollout);
              fill(h, "bob", List.of("alpha~zoo", "alpha~notes"), alphaRollout);
              fill(h, null, List.of("alpha~zoo"), alphaRollout);
              fill(h, "ann", List.of("beta~zoo", "beta~notes"), betaRollout);
            });
  }

  @AfterAll
  void tearDown() {
    core.close();
  }

  @Test
  void forgets_every_row_of_one_user_in_one_tenant_and_nothing_else() {
    List<UUID> annsQueries = queriesOf(ALPHA, "ann");
    assertThat(annsQueries).hasSize(8);
    Map<String, Long> before = counts(ALPHA, "ann", annsQueries);
    assertThat(before).allSatisfy((table, n) -> assertThat(n).as(table).isGreaterThan(3));
    // Every table with a session's or a user's id is checked here and handled by the forgetting.
    List<String> handled = new ArrayList<>(UserForgetting.anonymizedKinds());
    handled.addAll(UserForgetting.deletedKinds());
    assertThat(handled).containsExactlyInAnyOrderElementsOf(OF_USER.keySet());
    assertThat(handled).containsAll(tablesNamingASessionOrAUser());
    Map<String, List<String>> others = rowsOfOthers(annsQueries);
    Map<String, Long> betasAnn = counts(BETA, "ann", queriesOf(BETA, "ann"));

    UserForgetting.Forgotten forgotten = forgetting.forget(ALPHA, "ann");

    assertThat(forgotten.anonymized())
        .containsExactly(
            Map.entry("feedback", before.get("feedback")),
            Map.entry("query_log", before.get("query_log")));
    assertThat(forgotten.deleted().keySet())
        .containsExactlyElementsOf(UserForgetting.deletedKinds());
    forgotten.deleted().forEach((kind, n) -> assertThat(n).as(kind).isEqualTo(before.get(kind)));
    Map<String, Long> after = counts(ALPHA, "ann", annsQueries);
    for (String kind : UserForgetting.deletedKinds()) {
      assertThat(after.get(kind)).as(kind).isZero();
    }
    // Her queries stay for drift and rollouts, without her words or her session.
    core.jdbi()
        .useHandle(
            h -> {
              List<Map<String, Object>> queries =
                  h.createQuery(
                          "SELECT session_id, query, model_version, query_terms, top_sources"
                              + " FROM query_log WHERE id = ANY (:q)")
                      .bindArray("q", UUID.class, annsQueries)
                      .mapToMap()
                      .list();
              assertThat(queries)
                  .hasSize(annsQueries.size())
                  .allSatisfy(
                      q -> {
                        assertThat(q.get("session_id")).isNull();
                        assertThat(q.get("query")).isEqualTo("");
                        assertThat(q.get("model_version")).isEqualTo("v1");
                        assertThat(q.get("query_terms")).isEqualTo(5);
                      });
              assertThat(
                      h.createQuery(
                              "SELECT count(*) FROM feedback WHERE query_id = ANY (:q)"
                                  + " AND comment IS NULL AND rating = 1")
                          .bindArray("q", UUID.class, annsQueries)
                          .mapTo(Long.class)
                          .one())
                  .isEqualTo(before.get("feedback"));
            });
    // Bob's rows, the anonymous session's and beta's ann's are all exactly as they were.
    assertThat(rowsOfOthers(annsQueries)).isEqualTo(others);
    assertThat(counts(BETA, "ann", queriesOf(BETA, "ann"))).isEqualTo(betasAnn);

    // Again: nothing is left to forget, and that is no error.
    UserForgetting.Forgotten again = forgetting.forget(ALPHA, "ann");
    assertThat(again.any()).isFalse();
    assertThat(again.deleted()).allSatisfy((kind, n) -> assertThat(n).as(kind).isZero());
    assertThat(rowsOfOthers(annsQueries)).isEqualTo(others);
  }

  /**
   * The query log is written after the answer: a question answered in a session of the user just
   * before it went is logged after the forgetting. It keeps neither its text nor its link, a
   * question asked without a session keeps its text, and no comment is kept on the forgotten one.
   */
  @Test
  void a_query_logged_after_its_session_was_forgotten_keeps_neither_text_nor_link() {
    UUID session = UUID.randomUUID();
    core.jdbi()
        .useHandle(
            h ->
                h.execute(
                    "INSERT INTO sessions (id, collection, user_id) VALUES (?, 'alpha~notes',"
                        + " 'cid')",
                    session));
    forgetting.forget(ALPHA, "cid");

    UUID late = UUID.randomUUID();
    UUID sessionless = UUID.randomUUID();
    core.queryLog().record(entry(late, session.toString(), "What does cid like?"));
    core.queryLog().record(entry(sessionless, null, "What do frogs eat?"));
    Feedback feedback = new Feedback(core.jdbi(), core.queryLog());
    feedback.record(ALPHA, late, 1, null, "cid's own words");
    feedback.record(ALPHA, sessionless, 1, null, "a comment");

    core.jdbi()
        .useHandle(
            h -> {
              assertThat(
                      h.createQuery("SELECT session_id, query FROM query_log WHERE id = ?")
                          .bind(0, late)
                          .mapToMap()
                          .one())
                  .containsEntry("session_id", null)
                  .containsEntry("query", "");
              assertThat(
                      h.createQuery("SELECT query FROM query_log WHERE id = ?")
                          .bind(0, sessionless)
                          .mapTo(String.class)
                          .one())
                  .isEqualTo("What do frogs eat?");
              assertThat(
                      h.createQuery("SELECT comment FROM feedback WHERE query_id = ?")
                          .bind(0, late)
                          .mapTo(String.class)
                          .one())
                  .isNull();
              assertThat(
                      h.createQuery("SELECT comment FROM feedback WHERE query_id = ?")
                          .bind(0, sessionless)
                          .mapTo(String.class)
                          .one())
                  .isEqualTo("a comment");
            });
  }

  private static QueryLog.Entry entry(UUID id, String session, String query) {
    return new QueryLog.Entry(
        id, "alpha~notes", session, query, "v1", "extractive", 1, List.of(), List.of(), null, null);
  }

  @Test
  void a_user_nobody_knows_is_forgotten_without_changing_anything() {
    UserForgetting.Forgotten forgotten = forgetting.forget(BETA, "nobody");
    assertThat(forgotten.any()).isFalse();
    assertThat(forgotten.deleted().keySet())
        .containsExactlyElementsOf(UserForgetting.deletedKinds());
  }

  @Test
  void a_blank_user_id_is_refused_and_never_matches_anonymous_sessions() {
    assertThatThrownBy(() -> forgetting.forget(ALPHA, " "))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> forgetting.forget(ALPHA, null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** The tables of the schema with a column {@code session_id} or {@code user_id}. */
  private Set<String> tablesNamingASessionOrAUser() {
    List<String> tables =
        core.jdbi()
            .withHandle(
                h ->
                    h.createQuery(
                            "SELECT DISTINCT table_name FROM information_schema.columns WHERE"
                                + " table_schema = current_schema() AND column_name IN"
                                + " ('session_id', 'user_id')")
                        .mapTo(String.class)
                        .list());
    return new TreeSet<>(tables);
  }

  /** The ids of the queries logged in the user's sessions. */
  private List<UUID> queriesOf(Tenant tenant, String user) {
    return core.jdbi()
        .withHandle(
            h ->
                h.createQuery(
                        "SELECT id FROM query_log WHERE session_id IN (SELECT id::text FROM"
                            + " sessions WHERE tenant = :tenant AND user_id = :user) ORDER BY id")
                    .bind("tenant", tenant.id())
                    .bind("user", user)
                    .mapTo(UUID.class)
                    .list());
  }

  /** How many of the user's rows each table holds. */
  private Map<String, Long> counts(Tenant tenant, String user, List<UUID> queries) {
    return core.jdbi()
        .withHandle(
            h -> {
              h.getConfig(SqlStatements.class).setUnusedBindingAllowed(true);
              Map<String, Long> counts = new LinkedHashMap<>();
              OF_USER.forEach(
                  (table, condition) ->
                      counts.put(
                          table,
                          h.createQuery("SELECT count(*) FROM " + table + " WHERE " + condition)
                              .bind("tenant", tenant.id())
                              .bind("user", user)
                              .bindArray("queries", UUID.class, queries)
                              .mapTo(Long.class)
                              .one()));
              return counts;
            });
  }

  /** Every row, whole, of every table but alpha's ann's, by table. */
  private Map<String, List<String>> rowsOfOthers(List<UUID> annsQueries) {
    return core.jdbi()
        .withHandle(
            h -> {
              h.getConfig(SqlStatements.class).setUnusedBindingAllowed(true);
              Map<String, List<String>> rows = new LinkedHashMap<>();
              OF_USER.forEach(
                  (table, condition) ->
                      rows.put(
                          table,
                          h.createQuery(
                                  "SELECT t::text FROM "
                                      + table
                                      + " t WHERE NOT coalesce(("
                                      + condition
                                      + "), false) ORDER BY 1")
                              .bind("tenant", ALPHA.id())
                              .bind("user", "ann")
                              .bindArray("queries", UUID.class, annsQueries)
                              .mapTo(String.class)
                              .list()));
              return rows;
            });
  }

  private long rollout(String key) {
    RegisteredVersion staged = core.registry().alias(key, ModelAliases.STAGING).orElseThrow();
    Rollout rollout =
        core.rollouts()
            .begin(
                new RolloutService.Start(
                    "rollout-" + key,
                    "run-" + key,
                    key,
                    staged.version(),
                    "manual",
                    "it",
                    "assignments to forget",
                    RolloutPlan.Overrides.NONE));
    return rollout.id();
  }

  /**
   * Two sessions of {@code user} (null: anonymous) in each collection, each with four turns, a
   * distillation watermark and two batches, two logged queries (one rated with a comment) and an
   * arm in the rollout; per session an episodic and a semantic fact, each cited twice.
   */
  private static void fill(Handle h, String user, List<String> collections, long rollout) {
    for (String collection : collections) {
      for (int s = 0; s < 2; s++) {
        UUID session = UUID.randomUUID();
        h.createUpdate("INSERT INTO sessions (id, collection, user_id) VALUES (:s, :c, :u)")
            .bind("s", session)
            .bind("c", collection)
            .bind("u", user)
            .execute();
        List<Long> turns = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
          turns.add(
              h.createQuery(
                      "INSERT INTO turns (session_id, role, text) VALUES (:s, :role, :text)"
                          + " RETURNING id")
                  .bind("s", session)
                  .bind("role", t % 2 == 0 ? "user" : "assistant")
                  .bind("text", (user == null ? "someone" : user) + " says " + t)
                  .mapTo(Long.class)
                  .one());
        }
        h.createUpdate(
                "INSERT INTO distillation_state (session_id, last_turn_id, updated_at)"
                    + " VALUES (:s, :t, now())")
            .bind("s", session)
            .bind("t", turns.get(3))
            .execute();
        for (int b = 1; b <= 3; b += 2) {
          h.createUpdate(
                  "INSERT INTO distillation_batches (session_id, to_turn_id, turn_ids, status,"
                      + " created_at) VALUES (:s, :t, ARRAY[:t]::bigint[], 'done', now())")
              .bind("s", session)
              .bind("t", turns.get(b))
              .execute();
        }
        for (int q = 0; q < 2; q++) {
          UUID query = UUID.randomUUID();
          h.createUpdate(
                  "INSERT INTO query_log (id, collection, session_id, query, model_version,"
                      + " answer_mode, latency_ms, top_chunk_ids, top_sources, query_terms)"
                      + " VALUES (:id, :c, :s, :q, 'v1', 'extractive', 1, '{}',"
                      + " '{memory:episodic/1}', 5)")
              .bind("id", query)
              .bind("c", collection)
              .bind("s", session.toString())
              .bind("q", "what does " + user + " like")
              .execute();
          if (q == 0) {
            h.createUpdate(
                    "INSERT INTO feedback (query_id, rating, comment) VALUES (:q, 1, :comment)")
                .bind("q", query)
                .bind("comment", "thanks, says " + user)
                .execute();
          }
        }
        h.createUpdate(
                "INSERT INTO rollout_assignments (rollout_id, session_id, arm)"
                    + " VALUES (:r, :s, 'champion')")
            .bind("r", rollout)
            .bind("s", session)
            .execute();
        long episodic =
            h.createQuery(
                    "INSERT INTO episodic_facts (session_id, user_id, collection, subject, kind,"
                        + " text, normalized_text, embedding, embedding_model, confidence,"
                        + " salience, salience_at, created_at, expires_at, valid_from,"
                        + " source_turn_ids, extractor) VALUES (:s, :u, :c, 'tea', 'preference',"
                        + " :text, :text, '[1,0,0]', 'm', 0.9, 0.5, now(), now(),"
                        + " now() + interval '30 days', now(), ARRAY[:t]::bigint[], 'local')"
                        + " RETURNING id")
                .bind("text", "likes tea, says " + session)
                .bind("s", session)
                .bind("u", user)
                .bind("c", collection)
                .bind("t", turns.get(0))
                .mapTo(Long.class)
                .one();
        long semantic =
            h.createQuery(
                    "INSERT INTO semantic_facts (episodic_fact_id, collection, user_id, subject,"
                        + " kind, text, normalized_text, embedding, embedding_model, confidence,"
                        + " salience, citations, source_turn_ids, first_seen_at, promoted_at,"
                        + " promotion_run) VALUES (:e + 1000000, :c, :u, 'coffee', 'preference',"
                        + " :text, :text, '[1,0,0]', 'm', 0.9, 0.9, 6,"
                        + " ARRAY[:t]::bigint[], now(), now(), 'promotion-run') RETURNING id")
                .bind("text", "likes coffee, says " + session)
                .bind("e", episodic)
                .bind("c", collection)
                .bind("u", user)
                .bind("t", turns.get(2))
                .mapTo(Long.class)
                .one();
        // Their vectors as distillation cached them before it stopped caching facts.
        for (String text : List.of("likes tea, says " + session, "likes coffee, says " + session)) {
          h.createUpdate(
                  "INSERT INTO embedding_cache (model, content_hash, embedding) VALUES ('m',"
                      + " encode(sha256(convert_to(:text, 'UTF8')), 'hex'), '[1,0,0]')")
              .bind("text", text)
              .execute();
        }
        for (int c = 0; c < 2; c++) {
          h.createUpdate(
                  "INSERT INTO fact_citations (tier, fact_id, cited_at) VALUES ('episodic', :e,"
                      + " now()), ('semantic', :s, now())")
              .bind("e", episodic)
              .bind("s", semantic)
              .execute();
        }
      }
    }
  }
}
