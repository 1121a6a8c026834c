package io.engram.workers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.zaxxer.hikari.HikariDataSource;
import io.engram.core.Hashing;
import io.engram.core.config.EngramSettings;
import io.engram.core.db.Database;
import io.engram.core.db.EngramJdbi;
import io.engram.core.evaluation.EvaluationRuns;
import io.engram.core.evaluation.EvaluationService;
import io.engram.core.evaluation.QuerySplit;
import io.engram.core.index.IndexVersions;
import io.engram.core.ingestion.BlobStore;
import io.engram.testing.EngramServices;
import io.engram.testing.EngramServicesExtension;
import io.engram.testing.TestSettings;
import io.engram.workers.evaluation.EvaluationCapability;
import io.engram.workflows.common.FailureTypes;
import io.engram.workflows.evaluation.EvaluationProgress;
import io.engram.workflows.evaluation.EvaluationRequest;
import io.engram.workflows.evaluation.EvaluationSummary;
import io.engram.workflows.evaluation.EvaluationWorkflow;
import io.engram.workflows.ingestion.IngestionProgress;
import io.engram.workflows.ingestion.IngestionRequest;
import io.engram.workflows.ingestion.IngestionWorkflow;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.failure.ApplicationFailure;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The evaluation workflow end to end against a real PostgreSQL + pgvector and Temporal dev server,
 * on a tiny synthetic BEIR folder: each judged query plainly matches one document, except one whose
 * relevant document is not in the corpus, so the expected metrics are exact fractions.
 */
@EngramServices
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class EvaluationIT {
  private static final String MODEL = "all-minilm-l6-v2-q";
  private static final String COLLECTION = "tiny-beir";

  private static final String CORPUS =
      """
      {"_id": "d-aspirin", "title": "Aspirin and heart attacks", "text": "Daily low-dose aspirin reduces the risk of a first heart attack in adults."}
      {"_id": "d-coffee", "title": "Coffee and the liver", "text": "Regular coffee drinking is associated with lower rates of liver cirrhosis."}
      {"_id": "d-glacier", "title": "Greenland glaciers", "text": "Glaciers in Greenland are melting faster every decade as the Arctic warms."}
      {"_id": "d-coral", "title": "Coral bleaching", "text": "Coral reefs bleach when sea temperatures rise above what the corals tolerate."}
      {"_id": "d-photosynthesis", "title": "Photosynthesis", "text": "Plants convert light energy into chemical energy in their chloroplasts."}
      {"_id": "d-volcano", "title": "Volcanic ash", "text": "Volcanic ash clouds disrupt air travel over Europe after eruptions in Iceland."}
      """;

  /** Ids 6 and 9 are in QuerySplit's held-out part (pinned by QuerySplitTest); 1-5 are not. */
  private static final String QUERIES =
      """
      {"_id": "1", "text": "Does aspirin prevent heart attacks?"}
      {"_id": "2", "text": "Is coffee good for the liver?"}
      {"_id": "3", "text": "Why are the glaciers of Greenland melting?"}
      {"_id": "4", "text": "Which treatment cures the common cold?"}
      {"_id": "5", "text": "A query nobody judged"}
      {"_id": "6", "text": "What makes coral reefs bleach?"}
      {"_id": "9", "text": "How do plants turn light into chemical energy?"}
      """;

  /** Query 4's relevant document is not in the corpus, so nothing can retrieve it. */
  private static final String QRELS =
      "query-id\tcorpus-id\tscore\n"
          + "1\td-aspirin\t1\n"
          + "2\td-coffee\t1\n"
          + "3\td-glacier\t1\n"
          + "3\td-volcano\t0\n"
          + "4\td-not-in-corpus\t1\n"
          + "6\td-coral\t1\n"
          + "9\td-photosynthesis\t1\n";

  private EngramSettings settings;
  private HikariDataSource db;
  private Jdbi jdbi;
  private WorkflowServiceStubs service;
  private WorkflowClient client;
  private EngramWorker worker;
  private String queriesBlob;
  private String qrelsBlob;

  @BeforeAll
  void setUp() throws Exception {
    settings =
        EngramSettings.of(
            TestSettings.withTemporal(
                EngramServicesExtension.postgres().createDatabase("evaluation_it"), Map.of()));
    service =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder()
                .setTarget(settings.temporal().address())
                .build());
    client = WorkflowClient.newInstance(service);
    worker = EngramWorker.start(settings);
    db = Database.connect(settings.database(), "it", 4);
    jdbi = EngramJdbi.create(db);

    Path corpus = Files.createTempDirectory("engram-eval-it").resolve("corpus.jsonl");
    Files.writeString(corpus, CORPUS, StandardCharsets.UTF_8);
    String origin = corpus.toString();
    IngestionWorkflow ingestion =
        client.newWorkflowStub(
            IngestionWorkflow.class, IngestionWorkflow.startOptions(COLLECTION, origin));
    IngestionProgress ingested =
        ingestion.ingest(new IngestionRequest(COLLECTION, origin, origin, null, null, null));
    assertThat(ingested.done()).isEqualTo(6);

    queriesBlob = upload(QUERIES);
    qrelsBlob = upload(QRELS);
  }

  @AfterAll
  void tearDown() {
    if (worker != null) {
      worker.close();
    }
    if (db != null) {
      db.close();
    }
    service.shutdown();
  }

  @Test
  void every_judged_query_is_scored_and_the_run_is_stored_against_the_model_version()
      throws Exception {
    EvaluationRequest request = request("all", null, queriesBlob, qrelsBlob);
    String workflowId = EvaluationWorkflow.workflowId(request, UUID.randomUUID());

    EvaluationSummary summary = evaluate(workflowId, request);

    // The collection's champion: its version 1, registered when ingestion first stored documents
    // in it, whose bundle is the champion index version and the default (learned) reranker.
    String champion = COLLECTION + "/v1";
    // Five queries find their document first; query 4 cannot find its document at all.
    assertThat(summary.queries()).isEqualTo(6);
    assertThat(summary.ndcgAt10()).isCloseTo(5.0 / 6, within(1e-9));
    assertThat(summary.mrrAt10()).isCloseTo(5.0 / 6, within(1e-9));
    assertThat(summary.recallAt10()).isCloseTo(5.0 / 6, within(1e-9));
    assertThat(summary.recallAt100()).isCloseTo(5.0 / 6, within(1e-9));
    assertThat(summary.p50Ms()).isPositive().isLessThanOrEqualTo(summary.p95Ms());
    assertThat(summary.modelVersion()).isEqualTo(champion);
    assertThat(summary.part()).isEqualTo("all");

    Map<String, Object> run =
        row(
            "SELECT status, dataset, split, part, collection, model_version, query_count,"
                + " ndcg_at_10, recall_at_100, p95_ms, finished_at IS NOT NULL AS finished, error,"
                + " retrieval_options->>'mode' AS mode, retrieval_options->>'candidates' AS candidates"
                + " FROM eval_runs WHERE workflow_id = ?",
            workflowId);
    assertThat(run)
        .containsEntry("status", "completed")
        .containsEntry("dataset", "tiny")
        .containsEntry("split", "test")
        .containsEntry("part", "all")
        .containsEntry("collection", COLLECTION)
        .containsEntry("model_version", champion)
        .containsEntry("query_count", 6)
        .containsEntry("finished", true)
        .containsEntry("mode", "HYBRID")
        .containsEntry("candidates", "100");
    assertThat(run.get("error")).isNull();
    assertThat((Double) run.get("ndcg_at_10")).isCloseTo(5.0 / 6, within(1e-9));
    assertThat(
            row(
                "SELECT v.index_version_id = (SELECT id FROM index_versions WHERE name = ?) AS"
                    + " champion_index, v.config->'reranker'->>'kind' AS reranker FROM eval_runs r"
                    + " JOIN model_versions v ON v.id = r.model_version_id WHERE r.workflow_id = ?",
                new IndexVersions(jdbi).champion().orElseThrow().name(),
                workflowId))
        .containsEntry("champion_index", true)
        .containsEntry("reranker", "linear");
    assertThat((Double) run.get("p95_ms")).isEqualTo(summary.p95Ms());

    Map<String, Object> aspirin =
        row(
            "SELECT r.status, r.ndcg_at_10, r.latency_ms, r.top_ids[1] AS top"
                + " FROM eval_query_results r JOIN eval_runs e ON e.id = r.eval_run_id"
                + " WHERE e.workflow_id = ? AND r.query_id = '1'",
            workflowId);
    assertThat(aspirin).containsEntry("status", "done").containsEntry("top", "d-aspirin");
    assertThat((Double) aspirin.get("ndcg_at_10")).isEqualTo(1.0);
    assertThat((Double) aspirin.get("latency_ms")).isPositive();
    Map<String, Object> cold =
        row(
            "SELECT r.ndcg_at_10, r.recall_at_100, cardinality(r.top_ids) AS n"
                + " FROM eval_query_results r JOIN eval_runs e ON e.id = r.eval_run_id"
                + " WHERE e.workflow_id = ? AND r.query_id = '4'",
            workflowId);
    assertThat(cold).containsEntry("ndcg_at_10", 0.0).containsEntry("recall_at_100", 0.0);
    assertThat((Integer) cold.get("n")).isEqualTo(6);
    // The unjudged query 5 is not part of the run.
    assertThat(
            row(
                    "SELECT count(*) AS n FROM eval_query_results r JOIN eval_runs e"
                        + " ON e.id = r.eval_run_id WHERE e.workflow_id = ?",
                    workflowId)
                .get("n"))
        .isEqualTo(6L);

    EvaluationProgress progress =
        client.newWorkflowStub(EvaluationWorkflow.class, workflowId).progress();
    assertThat(progress.phase()).isEqualTo("done");
    assertThat(progress.done()).isEqualTo(6);

    // The replay test's fixture: a real run's history (copied into workflows' test resources).
    Path history = Path.of("target", "histories", "evaluation-happy-path.json");
    Files.createDirectories(history.getParent());
    Files.writeString(history, client.fetchHistory(workflowId).toJson(true));
  }

  @Test
  void the_held_out_part_evaluates_only_the_held_out_queries() throws Exception {
    EvaluationRequest request = request("held-out", null, queriesBlob, qrelsBlob);
    String workflowId = EvaluationWorkflow.workflowId(request, UUID.randomUUID());

    EvaluationSummary summary = evaluate(workflowId, request);

    assertThat(QuerySplit.isHeldOut("6") && QuerySplit.isHeldOut("9")).isTrue();
    assertThat(summary.queries()).isEqualTo(2);
    assertThat(summary.ndcgAt10()).isEqualTo(1.0);
    assertThat(summary.part()).isEqualTo("held-out");
    assertThat(
            row(
                    "SELECT array_agg(r.query_id ORDER BY r.seq)::text AS ids"
                        + " FROM eval_query_results r JOIN eval_runs e ON e.id = r.eval_run_id"
                        + " WHERE e.workflow_id = ?",
                    workflowId)
                .get("ids"))
        .isEqualTo("{6,9}");
  }

  @Test
  void bad_input_fails_at_once_with_its_type_and_registers_nothing() throws Exception {
    assertFailsWith(
        request("all", "no-such-version", queriesBlob, qrelsBlob),
        FailureTypes.UNKNOWN_MODEL_VERSION,
        "no-such-version");
    assertFailsWith(
        new EvaluationRequest(
            "tiny",
            "test",
            "all",
            "no-such-collection",
            null,
            queriesBlob,
            qrelsBlob,
            null,
            null,
            null),
        FailureTypes.UNKNOWN_COLLECTION,
        "no-such-collection");
    assertFailsWith(
        request("all", null, queriesBlob, upload("1\td-aspirin\t1\n2\td-coffee\tvery\n")),
        FailureTypes.INVALID_DATASET,
        "qrels line 2");
    assertFailsWith(
        request("all", null, queriesBlob, "0".repeat(64)),
        FailureTypes.INVALID_DATASET,
        "is not stored");
    assertThat(
            row("SELECT count(*) AS n FROM eval_runs WHERE workflow_id LIKE ?", "%-bad-%").get("n"))
        .isEqualTo(0L);
  }

  @Test
  void a_retried_batch_neither_repeats_nor_double_counts_a_query() throws Exception {
    EvaluationService evaluation =
        EvaluationCapability.service(worker.core(), new SimpleMeterRegistry());
    EvaluationService.Request request =
        new EvaluationService.Request(
            "wf-retried",
            "tiny",
            "test",
            QuerySplit.Part.ALL,
            COLLECTION,
            null,
            EvaluationService.Queries.uploaded(queriesBlob, qrelsBlob),
            null);
    EvaluationService.Plan plan = evaluation.prepare(request, () -> {});
    assertThat(plan.queries()).isEqualTo(6);

    // A first attempt dies after two queries of the batch...
    assertThat(evaluation.evaluate(plan.runId(), 0, 2, seq -> {}).evaluatedNow()).isEqualTo(2);
    Map<String, Double> latenciesBefore = latencies(plan.runId());
    // ...and its retry covers the whole range: it runs only the other four, reports all six.
    EvaluationService.BatchOutcome retry = evaluation.evaluate(plan.runId(), 0, 6, seq -> {});
    assertThat(retry.evaluatedNow()).isEqualTo(4);
    assertThat(retry.sums().queries()).isEqualTo(6);
    assertThat(retry.sums().ndcgAt10()).isCloseTo(5.0, within(1e-9));
    Map<String, Double> latenciesAfter = latencies(plan.runId());
    assertThat(latenciesAfter).hasSize(6);
    assertThat(latenciesAfter).containsAllEntriesOf(latenciesBefore);
    // Running the range again changes nothing.
    EvaluationService.BatchOutcome again = evaluation.evaluate(plan.runId(), 0, 6, seq -> {});
    assertThat(again.evaluatedNow()).isZero();
    assertThat(again.sums()).isEqualTo(retry.sums());
    assertThat(latencies(plan.runId())).isEqualTo(latenciesAfter);

    // Preparing and completing are idempotent too.
    assertThat(evaluation.prepare(request, () -> {})).isEqualTo(plan);
    EvaluationRuns.Run first = evaluation.complete(plan.runId());
    EvaluationRuns.Run second = evaluation.complete(plan.runId());
    assertThat(second.metrics()).isEqualTo(first.metrics());
    assertThat(second.metrics().ndcgAt10()).isCloseTo(5.0 / 6, within(1e-9));
    assertThat(second.finishedAt()).isEqualTo(first.finishedAt());
    // A completed run is not marked failed by a late compensation.
    evaluation.fail(plan.runId(), false, "late");
    assertThat(evaluation.store().runs().byId(plan.runId()).orElseThrow().status())
        .isEqualTo("completed");
  }

  @Test
  void a_stored_runs_queries_are_evaluated_again_and_only_for_its_own_eval_set() throws Exception {
    EvaluationService evaluation =
        EvaluationCapability.service(worker.core(), new SimpleMeterRegistry());
    EvaluationService.Plan first =
        evaluation.prepare(
            new EvaluationService.Request(
                "wf-source",
                "tiny",
                "test",
                QuerySplit.Part.ALL,
                COLLECTION,
                null,
                EvaluationService.Queries.uploaded(queriesBlob, qrelsBlob),
                null),
            () -> {});
    evaluation.evaluate(first.runId(), 0, first.queries(), seq -> {});
    EvaluationRuns.Run source = evaluation.complete(first.runId());

    EvaluationService.Plan again =
        evaluation.prepare(
            new EvaluationService.Request(
                "wf-again",
                "tiny",
                "test",
                QuerySplit.Part.ALL,
                COLLECTION,
                null,
                EvaluationService.Queries.ofRun(source.id()),
                null),
            () -> {});
    evaluation.evaluate(again.runId(), 0, again.queries(), seq -> {});
    EvaluationRuns.Run repeated = evaluation.complete(again.runId());

    assertThat(repeated.id()).isNotEqualTo(source.id());
    assertThat(repeated.queryCount()).isEqualTo(source.queryCount());
    assertThat(repeated.evalSet()).isEqualTo(source.evalSet());
    assertThat(repeated.metrics().ndcgAt10()).isCloseTo(source.metrics().ndcgAt10(), within(1e-9));
    assertThat(repeated.metrics().recallAt100())
        .isCloseTo(source.metrics().recallAt100(), within(1e-9));
    // The queries of another eval set, or of a run that does not exist, are refused for good.
    assertThatThrownBy(
            () ->
                evaluation.prepare(
                    new EvaluationService.Request(
                        "wf-other-part",
                        "tiny",
                        "test",
                        QuerySplit.Part.HELD_OUT,
                        COLLECTION,
                        null,
                        EvaluationService.Queries.ofRun(source.id()),
                        null),
                    () -> {}))
        .isInstanceOf(EvaluationService.InvalidEvaluationException.class)
        .hasMessageContaining("tiny/test/all");
    assertThatThrownBy(
            () ->
                evaluation.prepare(
                    new EvaluationService.Request(
                        "wf-no-run",
                        "tiny",
                        "test",
                        QuerySplit.Part.ALL,
                        COLLECTION,
                        null,
                        EvaluationService.Queries.ofRun(source.id() + 1000),
                        null),
                    () -> {}))
        .isInstanceOf(EvaluationService.InvalidEvaluationException.class)
        .hasMessageContaining("no evaluation run");
  }

  private EvaluationSummary evaluate(String workflowId, EvaluationRequest request) {
    EvaluationWorkflow workflow =
        client.newWorkflowStub(
            EvaluationWorkflow.class,
            EvaluationWorkflow.startOptions(workflowId, request.collection()));
    return workflow.evaluate(request);
  }

  private void assertFailsWith(EvaluationRequest request, String type, String message) {
    String workflowId = "eval-bad-" + UUID.randomUUID();
    WorkflowFailedException failure =
        assertThrows(WorkflowFailedException.class, () -> evaluate(workflowId, request));
    ApplicationFailure cause = null;
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ApplicationFailure application) {
        cause = application;
      }
    }
    assertThat(cause).as("cause of %s", failure).isNotNull();
    assertThat(cause.getType()).isEqualTo(type);
    assertThat(cause.getOriginalMessage()).contains(message);
  }

  private static EvaluationRequest request(
      String part, String modelVersion, String queries, String qrels) {
    return new EvaluationRequest(
        "tiny", "test", part, COLLECTION, modelVersion, queries, qrels, null, null, null);
  }

  private String upload(String text) throws Exception {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    String hash = Hashing.sha256(bytes);
    new BlobStore(jdbi).put(hash, bytes);
    return hash;
  }

  private Map<String, Double> latencies(long runId) throws Exception {
    Map<String, Double> out = new HashMap<>();
    try (Connection c = db.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT query_id, latency_ms FROM eval_query_results"
                    + " WHERE eval_run_id = ? AND status = 'done'")) {
      ps.setLong(1, runId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), rs.getDouble(2));
        }
      }
    }
    return out;
  }

  private Map<String, Object> row(String sql, Object... params) throws Exception {
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).as("a row for %s", sql).isTrue();
        Map<String, Object> out = new HashMap<>();
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
          names.add(rs.getMetaData().getColumnLabel(i));
        }
        for (String name : names) {
          out.put(name, rs.getObject(name));
        }
        return out;
      }
    }
  }
}
