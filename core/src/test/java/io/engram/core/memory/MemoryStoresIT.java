package io.engram.core.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.zaxxer.hikari.HikariDataSource;
import io.engram.core.collection.CollectionRegistry;
import io.engram.core.config.EngramSettings;
import io.engram.core.db.EngramJdbi;
import io.engram.core.embedding.CachedEmbedder;
import io.engram.core.embedding.EmbeddingModels;
import io.engram.core.llm.LlmGateway;
import io.engram.core.llm.LlmUnavailableException;
import io.engram.core.retrieval.QueryEmbeddings;
import io.engram.core.tenant.Tenant;
import io.engram.testing.EngramServices;
import io.engram.testing.EngramServicesExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The memory stores on a real PostgreSQL + pgvector: dedup, supersession, recall, citations, decay,
 * TTL, session release and transactional promotion.
 */
@EngramServices
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class MemoryStoresIT {
  private static final String MODEL = "all-minilm-l6-v2-q";
  private static final Instant T0 = Instant.parse("2026-01-05T09:00:00Z");

  private HikariDataSource db;
  private Jdbi jdbi;
  private MemorySettings settings;
  private WorkingMemory working;
  private Distiller distiller;
  private EpisodicMemory episodic;
  private SemanticMemory semantic;
  private MemoryMaintenance maintenance;
  private MemoryRetriever retriever;
  private FactCitations citations;

  private static final java.util.concurrent.atomic.AtomicInteger DATABASES =
      new java.util.concurrent.atomic.AtomicInteger();

  /** A database per test: maintenance jobs act on every fact, so tests must not share facts. */
  @BeforeEach
  void setUp() {
    db =
        EngramServicesExtension.postgres()
            .migratedDatabase("memory_stores_it_" + DATABASES.incrementAndGet(), 4);
    jdbi = EngramJdbi.create(db);
    settings = EngramSettings.defaults().memory();
    working = new WorkingMemory(jdbi);
    episodic = new EpisodicMemory(jdbi, settings);
    semantic = new SemanticMemory(jdbi);
    maintenance = new MemoryMaintenance(jdbi, settings);
    citations = new FactCitations(jdbi);
    CachedEmbedder embedder = new CachedEmbedder(jdbi, MODEL, EmbeddingModels.get(MODEL));
    distiller =
        new Distiller(jdbi, episodic, new LocalFactExtractor(), new LocalFactExtractor(), embedder);
    retriever =
        new MemoryRetriever(
            jdbi, MODEL, new QueryEmbeddings(100), MemoryRetriever.Options.forModel(MODEL));
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  /** A session of {@code user} whose user turns are {@code statements}, each with an answer. */
  private UUID session(String user, String... statements) throws SQLException {
    UUID id = working.createSession("default", user);
    for (String s : statements) {
      say(id, s);
    }
    return id;
  }

  private void say(UUID session, String statement) throws SQLException {
    working.appendExchange(session, statement, "memory-statement", statement, "Noted.", List.of());
  }

  private Distiller.Outcome distillAll(UUID session, Instant now) throws Exception {
    return distiller.distill(session, distiller.pendingTurns(session, 100), now);
  }

  private MemoryScope scope(String user, UUID session) {
    return new MemoryScope(session, user, "default");
  }

  @Test
  void a_restatement_raises_salience_instead_of_storing_a_copy() throws Exception {
    UUID first = session("rita", "I prefer green tea.", "I'm allergic to peanuts");
    Distiller.Outcome one = distillAll(first, T0);
    assertThat(one.storedIds()).hasSize(2);
    EpisodicMemory.Fact tea = episodic.fact(one.storedIds().get(0)).orElseThrow();
    assertThat(tea.salience()).isEqualTo(settings.initialSalience(LocalFactExtractor.EXPLICIT));

    // Another session of the same user says it again, in other words and the same words.
    UUID second = session("rita", "i prefer GREEN tea!!", "I am allergic to peanuts.");
    Distiller.Outcome two = distillAll(second, T0.plusSeconds(60));
    assertThat(two.storedIds()).isEmpty();
    assertThat(two.mergedIds()).containsExactlyInAnyOrderElementsOf(one.storedIds());

    EpisodicMemory.Fact reinforced = episodic.fact(tea.id()).orElseThrow();
    assertThat(reinforced.salience()).isGreaterThan(tea.salience());
    assertThat(reinforced.citations()).isZero();
    assertThat(reinforced.sourceTurnIds()).hasSize(2).containsAll(tea.sourceTurnIds());
    assertThat(episodic.facts(scope("rita", first))).hasSize(2);
  }

  @Test
  void a_contradiction_supersedes_the_old_fact_and_leaves_others_alone() throws Exception {
    UUID s = session("sam", "I prefer tea.", "I live in Lisbon.", "I love jazz");
    Distiller.Outcome before = distillAll(s, T0);
    assertThat(before.storedIds()).hasSize(3);
    long tea = before.storedIds().get(0);
    long lisbon = before.storedIds().get(1);
    double lisbonSalience = episodic.fact(lisbon).orElseThrow().salience();

    say(s, "Actually, I now prefer coffee.");
    Distiller.Outcome after = distillAll(s, T0.plus(Duration.ofDays(1)));
    assertThat(after.storedIds()).hasSize(1);
    long coffee = after.storedIds().get(0);
    assertThat(after.supersededIds()).containsExactly(tea);

    EpisodicMemory.Fact old = episodic.fact(tea).orElseThrow();
    assertThat(old.active()).isFalse();
    assertThat(old.validTo()).isEqualTo(T0.plus(Duration.ofDays(1)));
    assertThat(old.supersededBy()).isEqualTo(coffee);
    EpisodicMemory.Fact home = episodic.fact(lisbon).orElseThrow();
    assertThat(home.active()).isTrue();
    assertThat(home.salience()).isEqualTo(lisbonSalience);

    List<MemoryHit> hits =
        retriever.recall(s, "which drink does the user prefer", 3, T0.plus(Duration.ofDays(1)));
    assertThat(hits).isNotEmpty();
    assertThat(hits.get(0).factId()).isEqualTo(coffee);
    assertThat(hits).extracting(MemoryHit::factId).doesNotContain(tea);
  }

  /**
   * A question asking several things recalls each fact it asks for. With the default model,
   * bge-small, such a question as one sentence is under the cut-off for some of them: before
   * clauses were read apart, "Tell me my name, my job and my city." recalled the name alone, "Where
   * do I live and what is my job?" nothing, "What is my name and where do I live?" the name alone.
   */
  @Test
  void a_question_asking_several_things_recalls_each_fact_it_asks_for() throws Exception {
    String model = "bge-small-en-v1.5-q";
    Distiller distilled =
        new Distiller(
            jdbi,
            episodic,
            new LocalFactExtractor(),
            new LocalFactExtractor(),
            new CachedEmbedder(jdbi, model, EmbeddingModels.get(model)));
    MemoryRetriever recall =
        new MemoryRetriever(
            jdbi, model, new QueryEmbeddings(100), MemoryRetriever.Options.forModel(model));
    UUID s =
        session(
            "ada",
            "I work as a nurse.",
            "My name is Ada.",
            "I love jazz",
            "I live in Porto.",
            "I drive a Tesla.");
    assertThat(distilled.distill(s, distilled.pendingTurns(s, 100), T0).storedIds()).hasSize(5);
    String name = "User's name is Ada";
    String job = "User works as a nurse";
    String home = "User lives in Porto";

    Map<String, List<String>> asked = new LinkedHashMap<>();
    asked.put("Tell me my name, my job and my city.", List.of(name, job, home));
    asked.put("Where do I live and what is my job?", List.of(home, job));
    asked.put("What is my name and where do I live?", List.of(name, home));
    asked.forEach(
        (question, facts) ->
            assertThat(recall.recall(s, question, 5, T0))
                .as(question)
                .extracting(MemoryHit::text)
                .containsExactlyInAnyOrderElementsOf(facts));
  }

  /**
   * A session deleted while its question was answered (its user forgotten, as a hands-on tester did
   * mid-question): the exchange is not kept, and saying so is no failure (it was a 500).
   */
  @Test
  void an_exchange_of_a_session_deleted_meanwhile_is_not_kept() throws Exception {
    UUID s = session("ann", "I prefer tea.");
    jdbi.useHandle(
        h -> {
          h.execute("DELETE FROM turns WHERE session_id = ?", s);
          h.execute("DELETE FROM sessions WHERE id = ?", s);
        });

    boolean kept =
        working.appendExchange(s, "What do I drink?", "question", "q", "Tea.", List.of());

    assertThat(kept).isFalse();
    assertThat(working.recentTurns(s, 10)).isEmpty();
    // An exchange of a session that exists is kept, as before.
    UUID open = session("bob");
    assertThat(working.appendExchange(open, "Hi", "chit-chat", "Hi", "Hello.", List.of())).isTrue();
    assertThat(working.recentTurns(open, 10)).hasSize(2);
  }

  @Test
  void a_batch_is_distilled_once_and_a_malformed_extraction_stores_nothing() throws Exception {
    UUID s = session(null, "My name is Noor", "I work at Globex");
    List<Long> pending = distiller.pendingTurns(s, 100);
    assertThat(pending).hasSize(4);
    Distiller.Outcome first = distiller.distill(s, pending, T0);
    Distiller.Outcome again = distiller.distill(s, pending, T0);
    assertThat(again.replayed()).isTrue();
    assertThat(again.storedIds()).isEqualTo(first.storedIds());
    assertThat(distiller.pendingTurns(s, 100)).isEmpty();
    assertThat(distiller.watermark(s)).isEqualTo(pending.get(3));

    say(s, "I prefer window seats");
    List<Long> next = distiller.pendingTurns(s, 100);
    Distiller broken =
        new Distiller(
            jdbi,
            episodic,
            new LlmFactExtractor(gateway("The user likes window seats.")),
            new LocalFactExtractor(),
            new CachedEmbedder(jdbi, MODEL, EmbeddingModels.get(MODEL)));
    assertThatThrownBy(() -> broken.distill(s, next, T0))
        .isInstanceOf(MalformedExtractionException.class);
    assertThat(episodic.facts(scope(null, s))).hasSize(2);
    assertThat(distiller.watermark(s)).isEqualTo(pending.get(3));
    broken.recordFailure(s, next, "not JSON", T0);
    assertThat(distiller.pendingTurns(s, 100)).isEmpty();
    assertThat(episodic.facts(scope(null, s))).hasSize(2);
    assertThat(scalar("SELECT count(*) FROM distillation_batches WHERE status = 'failed'"))
        .isEqualTo(1);
  }

  @Test
  void an_unreachable_llm_falls_back_to_the_local_extractor() throws Exception {
    UUID s = session(null, "I'm allergic to cats");
    Distiller offline =
        new Distiller(
            jdbi,
            episodic,
            new LlmFactExtractor(unavailable()),
            new LocalFactExtractor(),
            new CachedEmbedder(jdbi, MODEL, EmbeddingModels.get(MODEL)));
    Distiller.Outcome outcome = offline.distill(s, distiller.pendingTurns(s, 10), T0);
    assertThat(outcome.extractor()).isEqualTo("local");
    assertThat(outcome.storedIds()).hasSize(1);
  }

  @Test
  void promotion_moves_eligible_facts_in_one_transaction_and_replays_a_batch() throws Exception {
    UUID s = session("pia", "I prefer oolong tea", "I work at Initech", "I love sailing");
    List<Long> ids = distillAll(s, T0).storedIds();
    // Two of the three are cited enough; the third is not.
    for (int i = 0; i < 6; i++) {
      citations.record(
          List.of(
              new FactCitations.Cited(MemoryTier.EPISODIC, ids.get(0)),
              new FactCitations.Cited(MemoryTier.EPISODIC, ids.get(1))),
          T0.plus(Duration.ofDays(i + 1)));
    }
    Instant day8 = T0.plus(Duration.ofDays(8));
    MemoryMaintenance.FlushResult flushed = maintenance.flushCitations(day8, 1000);
    assertThat(flushed.citations()).isEqualTo(12);
    EpisodicMemory.Fact cited = episodic.fact(ids.get(0)).orElseThrow();
    assertThat(cited.citations()).isEqualTo(6);
    assertThat(cited.lastCitedAt()).isEqualTo(T0.plus(Duration.ofDays(6)));
    assertThat(cited.salience()).isGreaterThan(0.8);

    MemorySettings.Promotion criteria = new MemorySettings.Promotion(0.8, 5, Duration.ofDays(7), 1);
    MemoryMaintenance.PromotionOutcome dry =
        maintenance.promoteBatch("dry", 0, 0, criteria, day8, true);
    assertThat(dry.episodicIds()).containsExactly(ids.get(0));
    assertThat(dry.more()).isTrue();
    assertThat(scalar("SELECT count(*) FROM semantic_facts")).isZero();

    // The DELETE half fails: the INSERT half must not survive either.
    try (Connection c = db.getConnection();
        Statement st = c.createStatement()) {
      st.execute(
          "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS"
              + " $$ BEGIN RAISE EXCEPTION 'disk on fire'; END $$");
      st.execute(
          "CREATE TRIGGER refuse_delete BEFORE DELETE ON episodic_facts"
              + " FOR EACH ROW EXECUTE FUNCTION refuse()");
    }
    assertThatThrownBy(() -> maintenance.promoteBatch("run-1", 0, 0, criteria, day8, false))
        .isInstanceOf(JdbiException.class)
        .hasMessageContaining("disk on fire");
    assertThat(scalar("SELECT count(*) FROM semantic_facts")).isZero();
    assertThat(scalar("SELECT count(*) FROM promotion_batches")).isZero();
    try (Connection c = db.getConnection();
        Statement st = c.createStatement()) {
      st.execute("DROP TRIGGER refuse_delete ON episodic_facts");
      st.execute("DROP FUNCTION refuse()");
    }

    MemoryMaintenance.PromotionOutcome first =
        maintenance.promoteBatch("run-1", 0, 0, criteria, day8, false);
    assertThat(first.episodicIds()).containsExactly(ids.get(0));
    MemoryMaintenance.PromotionOutcome replay =
        maintenance.promoteBatch("run-1", 0, 0, criteria, day8, false);
    assertThat(replay.replayed()).isTrue();
    assertThat(replay.semanticIds()).isEqualTo(first.semanticIds());
    MemoryMaintenance.PromotionOutcome second =
        maintenance.promoteBatch("run-1", 1, first.lastId(), criteria, day8, false);
    assertThat(second.episodicIds()).containsExactly(ids.get(1));
    MemoryMaintenance.PromotionOutcome third =
        maintenance.promoteBatch("run-1", 2, second.lastId(), criteria, day8, false);
    assertThat(third.episodicIds()).isEmpty();
    assertThat(third.more()).isFalse();

    assertThat(episodic.fact(ids.get(0))).isEmpty();
    assertThat(episodic.fact(ids.get(2))).isPresent();
    List<SemanticMemory.Fact> promoted = semantic.facts("default");
    assertThat(promoted)
        .extracting(SemanticMemory.Fact::episodicFactId)
        .containsExactly(ids.get(0), ids.get(1));
    assertThat(promoted.get(0).sourceTurnIds()).isEqualTo(cited.sourceTurnIds());
    assertThat(promoted.get(0).userId()).isEqualTo("pia");
    assertThat(promoted.get(0).citations()).isEqualTo(6);

    // A citation made of the episodic fact before promotion still counts, on its successor.
    citations.record(List.of(new FactCitations.Cited(MemoryTier.EPISODIC, ids.get(0))), day8);
    assertThat(maintenance.flushCitations(day8, 1000).semanticFacts()).isEqualTo(1);
    assertThat(semantic.promotedFrom("default", ids.get(0)).orElseThrow().citations()).isEqualTo(7);

    List<MemoryHit> recalled = retriever.recall(session("pia"), "what tea does pia like", 3, day8);
    assertThat(recalled).isNotEmpty();
    assertThat(recalled.get(0).tier()).isEqualTo(MemoryTier.SEMANTIC);
    assertThat(recalled.get(0).episodicFactId()).isEqualTo(ids.get(0));
    assertThat(recalled.get(0).sourceTurnIds()).isEqualTo(cited.sourceTurnIds());
  }

  /**
   * A promoted fact is the user's, as their episodic facts are: recalled in their sessions of every
   * collection of their tenant, not only the one it was promoted from, and in no other tenant's.
   */
  @Test
  void a_promoted_fact_follows_its_user_across_the_tenants_collections() throws Exception {
    CollectionRegistry collections = new CollectionRegistry(jdbi);
    collections.ensure("notes");
    jdbi.useHandle(h -> h.execute("INSERT INTO tenants (id) VALUES ('acme')"));
    String elsewhere = new Tenant("acme").collection("default");
    collections.ensure(elsewhere);
    UUID s = session("pia", "I prefer oolong tea");
    List<Long> ids = distillAll(s, T0).storedIds();
    for (int i = 0; i < 6; i++) {
      citations.record(
          List.of(new FactCitations.Cited(MemoryTier.EPISODIC, ids.get(0))),
          T0.plus(Duration.ofDays(i + 1)));
    }
    Instant day8 = T0.plus(Duration.ofDays(8));
    maintenance.flushCitations(day8, 1000);
    maintenance.promoteBatch(
        "run", 0, 0, new MemorySettings.Promotion(0.8, 5, Duration.ofDays(7), 10), day8, false);
    assertThat(semantic.promotedFrom("default", ids.get(0))).isPresent();

    String question = "What tea do I like?";
    UUID inNotes = working.createSession("notes", "pia");
    assertThat(retriever.recall(inNotes, question, 3, day8))
        .extracting(MemoryHit::tier, MemoryHit::episodicFactId)
        .contains(tuple(MemoryTier.SEMANTIC, ids.get(0)));
    UUID inAcme = working.createSession(elsewhere, "pia");
    assertThat(retriever.recall(inAcme, question, 3, day8)).isEmpty();

    // And a newer statement in another collection supersedes it there too.
    UUID later = working.createSession("notes", "pia");
    say(later, "Actually, I now prefer green tea");
    distillAll(later, day8);
    assertThat(semantic.promotedFrom("default", ids.get(0)).orElseThrow().validTo()).isNotNull();
  }

  /**
   * An anonymous session's facts are its own: however often they are cited, promotion leaves them
   * in the session's episodic memory instead of making them semantic facts that every session of
   * the collection recalls. One promoted before this rule (no user) is recalled by nobody.
   */
  @Test
  void an_anonymous_sessions_facts_stay_its_own_however_often_they_are_cited() throws Exception {
    UUID anonymous = session(null, "I'm allergic to peanuts", "I work at Initech");
    List<Long> ids = distillAll(anonymous, T0).storedIds();
    assertThat(ids).hasSize(2);
    // A fact's vector is kept with the fact alone, not in the cache, which names no owner.
    assertThat(
            scalar(
                "SELECT count(*) FROM embedding_cache c JOIN episodic_facts f ON c.content_hash ="
                    + " encode(sha256(convert_to(f.text, 'UTF8')), 'hex')"))
        .isZero();
    for (int i = 0; i < 6; i++) {
      citations.record(
          ids.stream().map(id -> new FactCitations.Cited(MemoryTier.EPISODIC, id)).toList(),
          T0.plus(Duration.ofDays(i + 1)));
    }
    Instant day8 = T0.plus(Duration.ofDays(8));
    maintenance.flushCitations(day8, 1000);
    assertThat(episodic.fact(ids.get(0)).orElseThrow().salience()).isGreaterThan(0.8);
    MemorySettings.Promotion criteria =
        new MemorySettings.Promotion(0.8, 5, Duration.ofDays(7), 10);

    assertThat(maintenance.promoteBatch("dry", 0, 0, criteria, day8, true).episodicIds()).isEmpty();
    assertThat(maintenance.promoteBatch("run", 0, 0, criteria, day8, false).episodicIds())
        .isEmpty();
    assertThat(scalar("SELECT count(*) FROM semantic_facts")).isZero();
    assertThat(episodic.fact(ids.get(0))).isPresent();

    String question = "What am I allergic to?";
    assertThat(retriever.recall(anonymous, question, 3, day8))
        .extracting(MemoryHit::factId)
        .contains(ids.get(0));
    assertThat(retriever.recall(session(null), question, 3, day8)).isEmpty();
    assertThat(retriever.recall(session("zed"), question, 3, day8)).isEmpty();

    // As a promotion before this rule left it: a semantic fact of no user.
    jdbi.useHandle(
        h ->
            SemanticMemory.promote(
                h, List.of(ids.get(0)), "before-the-rule", day8, 7 * 24 * 3600.0));
    assertThat(scalar("SELECT count(*) FROM semantic_facts WHERE user_id IS NULL")).isOne();
    assertThat(retriever.recall(session(null), question, 3, day8)).isEmpty();
    assertThat(retriever.recall(session("zed"), question, 3, day8)).isEmpty();
    // Nor is it where a restatement in another anonymous session is reinforced.
    UUID other = session(null, "I'm allergic to peanuts");
    assertThat(distillAll(other, day8).storedIds()).hasSize(1);
  }

  @Test
  void salience_decays_by_half_over_the_half_life_whatever_the_cadence() throws Exception {
    UUID s = session("quinn", "I use Emacs");
    long id = distillAll(s, T0).storedIds().get(0);
    double start = episodic.fact(id).orElseThrow().salience();
    Instant halfLife = T0.plus(settings.salienceHalfLife());
    maintenance.decay(T0.plus(Duration.ofDays(3)), 0, 1000);
    maintenance.decay(T0.plus(Duration.ofDays(17)), 0, 1000);
    maintenance.decay(halfLife, 0, 1000);
    assertThat(episodic.fact(id).orElseThrow().salience())
        .isCloseTo(start / 2, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void expired_facts_are_deleted_and_counted_and_closing_releases_distilled_turns()
      throws Exception {
    UUID s = session(null, "I'm allergic to wasps", "What is the capital of Peru?");
    long fact = distillAll(s, T0).storedIds().get(0);
    say(s, "I prefer sunny weather");
    long before = scalar("SELECT count(*) FROM turns WHERE session_id = '" + s + "'");
    assertThat(before).isEqualTo(6);

    MemoryMaintenance.Closed closed = maintenance.closeSession(s, T0);
    assertThat(closed.closed()).isTrue();
    // Kept: the fact's source turn and the two turns not distilled yet.
    assertThat(closed.turnsReleased()).isEqualTo(3);
    assertThat(maintenance.closeSession(s, T0).closed()).isFalse();
    assertThat(working.collectionOf(Tenant.DEFAULT, s)).isEmpty();

    Instant later = T0.plus(settings.episodicTtl()).plusSeconds(1);
    assertThat(maintenance.deleteExpired(later, 1000)).isGreaterThanOrEqualTo(1);
    assertThat(episodic.fact(fact)).isEmpty();
    MemoryStats.Snapshot stats = new MemoryStats(jdbi).snapshot(later, 2);
    assertThat(stats.days()).hasSize(2);
    assertThat(stats.days().get(1).expired()).isGreaterThanOrEqualTo(1);
    // Its source turn is no longer anybody's lineage, so it can go too.
    assertThat(maintenance.releaseOrphanTurns(1000)).isGreaterThanOrEqualTo(1);
  }

  @Test
  void turns_a_fact_still_names_do_not_stop_the_release_of_later_orphans() throws Exception {
    // The older session's fact lives on, so its source turn is kept at a low id for good.
    UUID kept = session(null, "I'm allergic to hornets");
    long keptFact = distillAll(kept, T0.plus(Duration.ofDays(10))).storedIds().get(0);
    long keptTurn = episodic.fact(keptFact).orElseThrow().sourceTurnIds().get(0);
    // The newer session's fact expires, which leaves its source turn to nobody.
    UUID orphaned = session(null, "I work as a carpenter");
    long orphanFact = distillAll(orphaned, T0).storedIds().get(0);
    long orphanTurn = episodic.fact(orphanFact).orElseThrow().sourceTurnIds().get(0);
    maintenance.closeSession(kept, T0.plus(Duration.ofDays(10)));
    maintenance.closeSession(orphaned, T0);
    assertThat(maintenance.deleteExpired(T0.plus(settings.episodicTtl()).plusSeconds(1), 1000))
        .isGreaterThanOrEqualTo(1);
    assertThat(episodic.fact(keptFact)).isPresent();
    assertThat(keptTurn).isLessThan(orphanTurn);

    // One at a time, as a maintenance batch of one would: each call releases one orphan until none
    // is left, whatever kept turns come before them.
    while (maintenance.releaseOrphanTurns(1) > 0) {}

    assertThat(scalar("SELECT count(*) FROM turns WHERE id = " + orphanTurn)).isZero();
    assertThat(scalar("SELECT count(*) FROM turns WHERE id = " + keptTurn)).isEqualTo(1);
  }

  private long scalar(String sql) throws SQLException {
    try (Connection c = db.getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static LlmGateway gateway(String reply) {
    return new LlmGateway() {
      @Override
      public String complete(String system, String user) {
        return reply;
      }

      @Override
      public String modelName() {
        return "fake";
      }
    };
  }

  private static LlmGateway unavailable() {
    return new LlmGateway() {
      @Override
      public String complete(String system, String user) throws LlmUnavailableException {
        throw new LlmUnavailableException("connection refused");
      }

      @Override
      public String modelName() {
        return "down";
      }
    };
  }
}
