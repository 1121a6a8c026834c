package io.engram.activities.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.zaxxer.hikari.HikariDataSource;
import io.engram.contract.Memory.PromotionOutcome;
import io.engram.core.config.EngramSettings;
import io.engram.core.db.EngramJdbi;
import io.engram.core.embedding.CachedEmbedder;
import io.engram.core.embedding.EmbeddingModels;
import io.engram.core.memory.Distiller;
import io.engram.core.memory.EpisodicMemory;
import io.engram.core.memory.FactCitations;
import io.engram.core.memory.LocalFactExtractor;
import io.engram.core.memory.MemoryHit;
import io.engram.core.memory.MemoryMaintenance;
import io.engram.core.memory.MemoryRetriever;
import io.engram.core.memory.MemoryScope;
import io.engram.core.memory.MemorySettings;
import io.engram.core.memory.MemoryStats;
import io.engram.core.memory.MemoryTier;
import io.engram.core.memory.SemanticMemory;
import io.engram.core.memory.WorkingMemory;
import io.engram.core.retrieval.QueryEmbeddings;
import io.engram.core.tenant.Tenant;
import io.engram.testing.EngramServices;
import io.engram.testing.EngramServicesExtension;
import io.engram.workflows.common.EngramSearchAttributes;
import io.engram.workflows.common.TaskQueues;
import io.engram.workflows.memory.DistillationRequest;
import io.engram.workflows.memory.DistillationSummary;
import io.engram.workflows.memory.DistillationWorkflow;
import io.engram.workflows.memory.DistillationWorkflowImpl;
import io.engram.workflows.memory.MaintenanceJob;
import io.engram.workflows.memory.MaintenanceRequest;
import io.engram.workflows.memory.MaintenanceWorkflow;
import io.engram.workflows.memory.MaintenanceWorkflowImpl;
import io.engram.workflows.memory.MemoryJobs;
import io.engram.workflows.memory.PromotionActivities;
import io.engram.workflows.memory.PromotionBatch;
import io.engram.workflows.memory.PromotionBatchResult;
import io.engram.workflows.memory.PromotionRequest;
import io.engram.workflows.memory.PromotionWorkflow;
import io.engram.workflows.memory.PromotionWorkflowImpl;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.temporal.client.BatchRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The memory lifecycle end to end in Temporal's time-skipping test environment, with the real
 * activities on a private PostgreSQL + pgvector: days pass in seconds, and every workflow takes its
 * time from the test clock, down to the SQL.
 */
@EngramServices
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class MemoryLifecycleIT {
  private static final String MODEL = "all-minilm-l6-v2-q";

  /** A Monday 09:00 UTC; the daily promotion runs at 03:00. */
  private static final Instant T0 = Instant.parse("2026-01-05T09:00:00Z");

  private static final AtomicInteger DATABASES = new AtomicInteger();

  private HikariDataSource db;
  private Jdbi jdbi;
  private MemorySettings settings;
  private WorkingMemory working;
  private EpisodicMemory episodic;
  private SemanticMemory semantic;
  private FactCitations citations;
  private MemoryRetriever retriever;
  private MemoryMaintenance maintenance;
  private Distiller distiller;
  private SimpleMeterRegistry registry;
  private TestWorkflowEnvironment env;
  private WorkflowClient client;

  @BeforeEach
  void setUp() {
    db =
        EngramServicesExtension.postgres()
            .migratedDatabase("memory_lifecycle_it_" + DATABASES.incrementAndGet(), 4);
    jdbi = EngramJdbi.create(db);
    settings = EngramSettings.defaults().memory();
    working = new WorkingMemory(jdbi);
    episodic = new EpisodicMemory(jdbi, settings);
    semantic = new SemanticMemory(jdbi);
    citations = new FactCitations(jdbi);
    maintenance = new MemoryMaintenance(jdbi, settings);
    retriever =
        new MemoryRetriever(
            jdbi, MODEL, new QueryEmbeddings(100), MemoryRetriever.Options.forModel(MODEL));
    distiller =
        new Distiller(
            jdbi,
            episodic,
            new LocalFactExtractor(),
            new LocalFactExtractor(),
            new CachedEmbedder(jdbi, MODEL, EmbeddingModels.get(MODEL)));
    registry = new SimpleMeterRegistry();

    TestEnvironmentOptions.Builder options =
        TestEnvironmentOptions.newBuilder().setInitialTime(T0).setUseTimeskipping(true);
    EngramSearchAttributes.ALL.forEach(options::registerSearchAttribute);
    env = TestWorkflowEnvironment.newInstance(options.build());
    client = env.getWorkflowClient();
  }

  /** Workers on the production task queues, with the real activities or the given promotion. */
  private void startWorkers(PromotionActivities promotion) {
    MemoryMetrics metrics = new MemoryMetrics(registry);
    DistillationActivitiesImpl distillation = new DistillationActivitiesImpl(distiller, metrics);
    Worker worker = env.newWorker(TaskQueues.MAINTENANCE);
    worker.registerWorkflowImplementationTypes(
        DistillationWorkflowImpl.class, PromotionWorkflowImpl.class, MaintenanceWorkflowImpl.class);
    worker.registerActivitiesImplementations(
        distillation,
        promotion != null ? promotion : new PromotionActivitiesImpl(maintenance, metrics),
        new MaintenanceActivitiesImpl(maintenance, metrics, 100));
    env.newWorker(TaskQueues.LLM).registerActivitiesImplementations(distillation);
    env.start();
  }

  @AfterEach
  void tearDown() {
    env.close();
    db.close();
  }

  // ---------------------------------------------------------------- must-show 1

  /**
   * A session produces facts; one of them is cited six times over eight days; the daily promotion
   * (a cron workflow here, a Schedule on a real server) moves it to semantic memory exactly once,
   * on the first day it is old enough; a query then recalls it from semantic memory with lineage to
   * the turn it was said in.
   */
  @Test
  void a_fact_cited_six_times_over_eight_days_is_promoted_exactly_once_and_recalled_with_lineage()
      throws Exception {
    startWorkers(null);
    UUID session = working.createSession("default", "ada");
    exchange(session, "I prefer green tea.");
    exchange(session, "I live in Lisbon.");
    exchange(session, "What is photosynthesis?");
    long lastTurn = exchange(session, "Thanks!");

    DistillationSummary distilled = distilled(signalDistillation(session, lastTurn));
    assertThat(distilled.stored()).isEqualTo(2);
    List<EpisodicMemory.Fact> facts = episodic.facts(new MemoryScope(session, "ada", "default"));
    EpisodicMemory.Fact tea = facts.get(0);
    EpisodicMemory.Fact lisbon = facts.get(1);
    assertThat(tea.text()).isEqualTo("User prefers green tea");
    assertThat(lisbon.text()).isEqualTo("User lives in Lisbon");

    WorkflowClient.start(
        cron(PromotionWorkflow.class, MemoryJobs.PROMOTION, "0 3 * * *")::promote,
        PromotionRequest.defaults(false));
    WorkflowClient.start(
        cron(MaintenanceWorkflow.class, MemoryJobs.SALIENCE, "0 */6 * * *")::run,
        MaintenanceRequest.of(MaintenanceJob.SALIENCE));

    // Cited at noon on days 1 to 6: six citations, more than five.
    for (int day = 1; day <= 6; day++) {
      sleepUntil(T0.plus(Duration.ofDays(day)).plus(Duration.ofHours(3)));
      citations.record(List.of(new FactCitations.Cited(MemoryTier.EPISODIC, tea.id())), now());
    }
    // Day 7 at 03:00 it has its citations but is not older than seven days yet.
    sleepUntil(T0.plus(Duration.ofDays(7)));
    assertThat(episodic.fact(tea.id())).isPresent();
    assertThat(semantic.facts("default")).isEmpty();
    EpisodicMemory.Fact beforePromotion = episodic.fact(tea.id()).orElseThrow();
    assertThat(beforePromotion.citations()).isEqualTo(6);
    assertThat(beforePromotion.salience()).isGreaterThan(0.8);

    // Day 8 at 03:00 it is; days 9 and 10 find nothing more to do.
    sleepUntil(T0.plus(Duration.ofDays(8)));
    assertThat(episodic.fact(tea.id())).isEmpty();
    assertThat(semantic.facts("default")).hasSize(1);
    sleepUntil(T0.plus(Duration.ofDays(10)));
    List<SemanticMemory.Fact> promoted = semantic.facts("default");
    assertThat(promoted).hasSize(1);
    SemanticMemory.Fact fact = promoted.get(0);
    assertThat(fact.episodicFactId()).isEqualTo(tea.id());
    // Promoted by the run of day 8 at 03:00, the first at which it was older than seven days.
    Instant day8 = Instant.parse("2026-01-13T03:00:00Z");
    assertThat(fact.promotedAt()).isBetween(day8, day8.plusSeconds(60));
    assertThat(fact.citations()).isEqualTo(6);
    assertThat(fact.userId()).isEqualTo("ada");
    assertThat(scalar("SELECT count(*) FROM promotion_batches WHERE cardinality(episodic_ids) > 0"))
        .isEqualTo(1);
    assertThat(scalar("SELECT sum(count) FROM memory_events WHERE kind = 'promoted'")).isEqualTo(1);
    // The fact nobody cited stays where it was.
    assertThat(episodic.fact(lisbon.id())).isPresent();

    UUID later = working.createSession("default", "ada");
    List<MemoryHit> hits = retriever.recall(later, "what kind of tea do I like", 3, now());
    assertThat(hits).isNotEmpty();
    MemoryHit hit = hits.get(0);
    assertThat(hit.tier()).isEqualTo(MemoryTier.SEMANTIC);
    assertThat(hit.source()).isEqualTo("memory:semantic/" + fact.id());
    assertThat(hit.episodicFactId()).isEqualTo(tea.id());
    assertThat(hit.sourceTurnIds()).isEqualTo(tea.sourceTurnIds());
    assertThat(turnText(hit.sourceTurnIds().get(0))).isEqualTo("I prefer green tea.");

    MemoryStats.Snapshot stats = new MemoryStats(jdbi).snapshot(now(), 11);
    assertThat(stats.semantic()).isEqualTo(1);
    assertThat(stats.days().stream().mapToLong(MemoryStats.Day::promoted).sum()).isEqualTo(1);
    terminate(MemoryJobs.PROMOTION, MemoryJobs.SALIENCE);
  }

  // ---------------------------------------------------------------- must-show 2

  /**
   * A user states a preference and later contradicts it: the old fact is superseded (still stored,
   * marked, linked to its replacement), the new one wins recall, and an unrelated fact is
   * untouched.
   */
  @Test
  void a_contradicted_preference_is_superseded_and_the_new_one_wins_recall() throws Exception {
    startWorkers(null);
    UUID session = working.createSession("default", "ben");
    exchange(session, "I prefer tea.");
    exchange(session, "I live in Lisbon.");
    exchange(session, "I love jazz.");
    long turn = exchange(session, "What is the boiling point of water?");
    distilled(signalDistillation(session, turn));
    MemoryScope scope = new MemoryScope(session, "ben", "default");
    List<EpisodicMemory.Fact> before = episodic.facts(scope);
    assertThat(before)
        .extracting(EpisodicMemory.Fact::text)
        .containsExactly("User prefers tea", "User lives in Lisbon", "User likes jazz");

    sleepUntil(T0.plus(Duration.ofDays(2)));
    exchange(session, "Hello again");
    exchange(session, "Actually, I now prefer coffee.");
    exchange(session, "Can you recommend a book?");
    turn = exchange(session, "Thanks");
    DistillationSummary second = distilled(signalDistillation(session, turn));
    assertThat(second.superseded()).isEqualTo(1);

    List<EpisodicMemory.Fact> after = episodic.facts(scope);
    assertThat(after).hasSize(4);
    EpisodicMemory.Fact tea = after.get(0);
    EpisodicMemory.Fact coffee = after.get(3);
    assertThat(coffee.text()).isEqualTo("User prefers coffee");
    assertThat(tea.active()).isFalse();
    assertThat(tea.supersededBy()).isEqualTo(coffee.id());
    assertThat(tea.validTo()).isBetween(T0.plus(Duration.ofDays(2)), T0.plus(Duration.ofDays(3)));
    for (int i = 1; i <= 2; i++) {
      assertThat(after.get(i))
          .as("unrelated fact %s", before.get(i).text())
          .isEqualTo(before.get(i));
    }

    List<MemoryHit> hits = retriever.recall(session, "what do I prefer to drink", 5, now());
    assertThat(hits.get(0).factId()).isEqualTo(coffee.id());
    assertThat(hits).extracting(MemoryHit::factId).doesNotContain(tea.id());
    assertThat(new MemoryStats(jdbi).snapshot(now(), 1).episodicSuperseded()).isEqualTo(1);
  }

  // ---------------------------------------------------------------- must-show 3

  /**
   * The promotion activity dies right after its first batch committed (before Temporal heard of
   * it), and a later run is killed between batches and run again: every eligible fact ends up in
   * semantic memory exactly once and none is left behind in episodic memory.
   */
  @Test
  void a_promotion_killed_between_batches_and_run_again_loses_and_duplicates_nothing()
      throws Exception {
    MemoryMetrics metrics = new MemoryMetrics(registry);
    KillingPromotion killing =
        new KillingPromotion(new PromotionActivitiesImpl(maintenance, metrics));
    startWorkers(killing);
    List<Long> eligible = eligibleFacts(7);
    sleepUntil(T0.plus(Duration.ofDays(8)));

    // Run 1: batch 0 commits and the activity dies before reporting it; the retry finds the
    // batch's record. Then batch 2 commits and the run itself is killed.
    killing.crashAfterCommitOf = 0;
    killing.killRunAfterCommitOf = 2;
    WorkflowClient.start(
        promotion("promotion-run-1")::promote,
        new PromotionRequest(false, 0.8, 5, Duration.ofDays(7), 2, null));
    WorkflowFailedException killed =
        assertThrows(
            WorkflowFailedException.class,
            () -> awaitResult("promotion-run-1", PromotionOutcome.class));
    assertThat(killed).hasStackTraceContaining("worker killed");
    assertThat(killing.replayed).isEqualTo(1);
    long promotedBeforeKill = scalar("SELECT count(*) FROM semantic_facts");
    assertThat(promotedBeforeKill).isEqualTo(6);
    assertThat(scalar("SELECT count(*) FROM episodic_facts")).isEqualTo(1);

    // Run 2 picks up what is left.
    killing.crashAfterCommitOf = -1;
    killing.killRunAfterCommitOf = -1;
    PromotionOutcome rerun =
        promote(
            "promotion-run-2", new PromotionRequest(false, 0.8, 5, Duration.ofDays(7), 2, null));
    assertThat(rerun.promoted()).isEqualTo(1);

    assertThat(scalar("SELECT count(*) FROM episodic_facts")).isZero();
    assertThat(scalar("SELECT count(*) FROM semantic_facts")).isEqualTo(7);
    assertThat(scalar("SELECT count(DISTINCT episodic_fact_id) FROM semantic_facts")).isEqualTo(7);
    assertThat(semantic.facts("default"))
        .extracting(SemanticMemory.Fact::episodicFactId)
        .containsExactlyInAnyOrderElementsOf(eligible);
    assertThat(scalar("SELECT sum(count) FROM memory_events WHERE kind = 'promoted'")).isEqualTo(7);
    assertThat(registry.get(MemoryMetrics.FACTS).tag("event", "promoted").counter().count())
        .isEqualTo(7);

    // A third run, or any re-run of a batch, changes nothing.
    PromotionOutcome third =
        promote(
            "promotion-run-3", new PromotionRequest(false, 0.8, 5, Duration.ofDays(7), 2, null));
    assertThat(third.promoted()).isZero();
    assertThat(scalar("SELECT count(*) FROM semantic_facts")).isEqualTo(7);
  }

  @Test
  void a_dry_run_reports_what_it_would_promote_and_moves_nothing() throws Exception {
    startWorkers(null);
    List<Long> eligible = eligibleFacts(3);
    sleepUntil(T0.plus(Duration.ofDays(8)));
    maintenance.flushCitations(now(), 1000);

    PromotionOutcome dry = promote("dry-run", PromotionRequest.defaults(true));

    assertThat(dry.dryRun()).isTrue();
    assertThat(dry.promoted()).isEqualTo(3);
    assertThat(dry.episodicIds()).containsExactlyElementsOf(eligible);
    assertThat(dry.semanticIds()).isEmpty();
    assertThat(scalar("SELECT count(*) FROM semantic_facts")).isZero();
    assertThat(scalar("SELECT count(*) FROM episodic_facts")).isEqualTo(3);
  }

  @Test
  void session_cleanup_distils_the_rest_then_closes_and_ttl_cleanup_deletes_expired_facts()
      throws Exception {
    startWorkers(null);
    UUID session = working.createSession("default", null);
    exchange(session, "I'm allergic to peanuts.");
    exchange(session, "What is a peanut?");
    // Nobody signalled distillation: the cleanup must take the facts before closing.
    sleepUntil(T0.plus(Duration.ofHours(1)));
    // Turns carry the database's clock; age the session on the test clock.
    execute("UPDATE sessions SET last_active_at = '" + T0 + "'");

    var cleanup = maintain("sessions", MaintenanceJob.SESSION_CLEANUP);
    assertThat(cleanup.sessionsClosed()).isEqualTo(1);
    assertThat(cleanup.batchesDistilled()).isEqualTo(1);
    List<EpisodicMemory.Fact> facts = episodic.facts(new MemoryScope(session, null, "default"));
    assertThat(facts)
        .extracting(EpisodicMemory.Fact::text)
        .containsExactly("User is allergic to peanuts");
    assertThat(working.collectionOf(Tenant.DEFAULT, session)).isEmpty();
    // Only the turn the fact names survives the release.
    assertThat(scalar("SELECT count(*) FROM turns")).isEqualTo(1);

    sleepUntil(T0.plus(settings.episodicTtl()).plus(Duration.ofHours(2)));
    var ttl = maintain("ttl", MaintenanceJob.TTL_CLEANUP);
    assertThat(ttl.factsExpired()).isEqualTo(1);
    assertThat(ttl.turnsReleased()).isEqualTo(1);
    assertThat(scalar("SELECT count(*) FROM episodic_facts")).isZero();
    assertThat(scalar("SELECT sum(count) FROM memory_events WHERE kind = 'expired'")).isEqualTo(1);
  }

  // ---------------------------------------------------------------- helpers

  /** {@code n} facts of different subjects, each cited six times, distilled at T0. */
  private List<Long> eligibleFacts(int n) throws Exception {
    List<String> statements =
        List.of(
            "I use Emacs",
            "I live in Lisbon",
            "I work at Acme",
            "My name is Ada",
            "I love sailing",
            "I'm allergic to peanuts",
            "I prefer green tea");
    UUID session = working.createSession("default", "cleo");
    for (String s : statements.subList(0, n)) {
      exchange(session, s);
    }
    List<Long> ids =
        distiller.distill(session, distiller.pendingTurns(session, 100), T0).storedIds();
    assertThat(ids).hasSize(n);
    List<FactCitations.Cited> cited = new ArrayList<>();
    for (long id : ids) {
      cited.add(new FactCitations.Cited(MemoryTier.EPISODIC, id));
    }
    for (int day = 1; day <= 6; day++) {
      citations.record(cited, T0.plus(Duration.ofDays(day)));
    }
    return ids;
  }

  /** Appends a user turn and its answer; returns the answer's turn id. */
  private long exchange(UUID session, String text) throws SQLException {
    working.appendExchange(session, text, "question", text, "Noted.", List.of());
    return scalar("SELECT max(id) FROM turns WHERE session_id = '" + session + "'");
  }

  private DistillationWorkflow signalDistillation(UUID session, long lastTurn) {
    DistillationWorkflow workflow =
        client.newWorkflowStub(
            DistillationWorkflow.class, DistillationWorkflow.startOptions(session.toString()));
    BatchRequest request = client.newSignalWithStartRequest();
    request.add(workflow::distill, DistillationRequest.of(session.toString()));
    request.add(workflow::turnsAdded, lastTurn);
    client.signalWithStart(request);
    return workflow;
  }

  private <T> T cron(Class<T> type, String job, String cron) {
    return client.newWorkflowStub(
        type,
        WorkflowOptions.newBuilder()
            .setWorkflowId(MemoryJobs.scheduleId(job))
            .setTaskQueue(TaskQueues.MAINTENANCE)
            .setCronSchedule(cron)
            .setTypedSearchAttributes(MemoryJobs.searchAttributes(job))
            .build());
  }

  private PromotionWorkflow promotion(String id) {
    return client.newWorkflowStub(
        PromotionWorkflow.class,
        WorkflowOptions.newBuilder()
            .setWorkflowId(id)
            .setTaskQueue(TaskQueues.MAINTENANCE)
            .setTypedSearchAttributes(MemoryJobs.searchAttributes(MemoryJobs.PROMOTION))
            .build());
  }

  private PromotionOutcome promote(String id, PromotionRequest request) {
    WorkflowClient.start(promotion(id)::promote, request);
    return awaitResult(id, PromotionOutcome.class);
  }

  private io.engram.workflows.memory.MaintenanceResult maintain(String id, MaintenanceJob job) {
    MaintenanceWorkflow workflow =
        client.newWorkflowStub(
            MaintenanceWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(id)
                .setTaskQueue(TaskQueues.MAINTENANCE)
                .build());
    WorkflowClient.start(workflow::run, MaintenanceRequest.of(job));
    return awaitResult(id, io.engram.workflows.memory.MaintenanceResult.class);
  }

  private DistillationSummary distilled(DistillationWorkflow workflow) {
    return awaitResult(
        WorkflowStub.fromTyped(workflow).getExecution().getWorkflowId(), DistillationSummary.class);
  }

  /**
   * Waits for a run by advancing the test clock in small steps, then reads its result through a
   * client that leaves time skipping alone. Waiting with the environment's own client would release
   * the clock, and the test server, idle once the run has completed, may then jump to its next
   * timer: the completed run's ten-year run timeout, which it does not cancel.
   */
  private <R> R awaitResult(String workflowId, Class<R> type) {
    WorkflowClient raw =
        WorkflowClient.newInstance(
            env.getWorkflowServiceStubs(),
            io.temporal.client.WorkflowClientOptions.newBuilder()
                .setNamespace(env.getNamespace())
                .build());
    WorkflowStub stub = raw.newUntypedWorkflowStub(workflowId);
    for (int step = 0; step < 24 * 60; step++) {
      if (stub.describe().getStatus()
          != io.temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
        return stub.getResult(type);
      }
      env.sleep(Duration.ofMinutes(1));
    }
    throw new AssertionError(workflowId + " still runs after a simulated day");
  }

  private void terminate(String... jobs) {
    for (String job : jobs) {
      client.newUntypedWorkflowStub(MemoryJobs.scheduleId(job)).terminate("test over");
    }
  }

  private Instant now() {
    return Instant.ofEpochMilli(env.currentTimeMillis());
  }

  private void sleepUntil(Instant when) {
    Duration wait = Duration.between(now(), when);
    if (!wait.isNegative() && !wait.isZero()) {
      env.sleep(wait);
    }
  }

  private String turnText(long turnId) throws SQLException {
    try (Connection c = db.getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT text FROM turns WHERE id = " + turnId)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  private long scalar(String sql) throws SQLException {
    try (Connection c = db.getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private void execute(String sql) throws SQLException {
    try (Connection c = db.getConnection();
        Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  /**
   * The real promotion activity, plus two kinds of death: the activity process dying after a
   * batch's commit but before its result reaches Temporal (Temporal retries it), and the whole run
   * being killed after a batch (a non-retryable failure that ends the workflow).
   */
  static final class KillingPromotion implements PromotionActivities {
    private final PromotionActivities real;
    volatile int crashAfterCommitOf = -1;
    volatile int killRunAfterCommitOf = -1;
    volatile int replayed;

    KillingPromotion(PromotionActivities real) {
      this.real = real;
    }

    @Override
    public PromotionBatchResult promoteBatch(PromotionBatch batch) {
      PromotionBatchResult result = real.promoteBatch(batch);
      if (result.replayed()) {
        replayed++;
      }
      if (batch.batchNo() == crashAfterCommitOf && !result.replayed()) {
        throw new IllegalStateException("worker killed after batch " + batch.batchNo());
      }
      if (batch.batchNo() == killRunAfterCommitOf) {
        throw ApplicationFailure.newNonRetryableFailure(
            "worker killed for good after batch " + batch.batchNo(), "Killed");
      }
      return result;
    }
  }
}
