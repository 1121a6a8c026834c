package io.engram.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.engram.core.CoreServices;
import io.engram.core.Hashing;
import io.engram.testing.EngramServices;
import io.engram.testing.EngramServicesExtension;
import io.engram.workers.EngramWorker;
import io.engram.workflows.common.TaskQueues;
import io.engram.workflows.training.DriftRequest;
import io.engram.workflows.training.DriftSummary;
import io.engram.workflows.training.DriftWorkflow;
import io.engram.workflows.training.RetrainingRequest;
import io.engram.workflows.training.RetrainingWorkflow;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The measured claim of drift detection (docs/benchmarks/drift.md), on a real API, worker,
 * PostgreSQL and Temporal with the default settings (windows of 300, minimum sample 200): on a
 * small health corpus, too few live queries give "insufficient data"; 300 in-domain questions as
 * the reference and 300 other in-domain ones as the recent window give no drift; 300 off-domain
 * questions then give drift, and the scheduled workflow's path finds the retraining the API check
 * started already running. The questions are generated ({@link DriftQuestions}).
 */
@EngramServices
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class DriftApiIT extends ApiTestSupport implements TestPropertyProvider {
  private static final Logger log = LoggerFactory.getLogger(DriftApiIT.class);
  private static final String COLLECTION = "health";

  private static final String CORPUS =
      """
      {"_id": "d1", "title": "Aspirin and the heart", "text": "Daily low-dose aspirin reduces the risk of a first heart attack and of stroke in adults with high blood pressure."}
      {"_id": "d2", "title": "Coffee and the liver", "text": "Regular coffee drinking is associated with lower rates of liver cirrhosis and with less chronic inflammation."}
      {"_id": "d3", "title": "Vitamin D and bones", "text": "Vitamin D supplementation increases bone density in older adults with low vitamin D levels."}
      {"_id": "d4", "title": "Exercise and insulin", "text": "Regular exercise lowers insulin resistance and the risk of type 2 diabetes and reduces blood pressure."}
      {"_id": "d5", "title": "Statins", "text": "Statins lower cholesterol levels and the risk of heart attack and stroke."}
      {"_id": "d6", "title": "Metformin", "text": "Metformin improves insulin resistance in type 2 diabetes and may change gut bacteria."}
      {"_id": "d7", "title": "Smoking and cancer", "text": "Smoking causes lung cancer, raises blood pressure and weakens the immune response."}
      {"_id": "d8", "title": "Sleep deprivation", "text": "Sleep deprivation impairs memory, promotes chronic inflammation and is associated with depression."}
      {"_id": "d9", "title": "Mediterranean diet", "text": "A Mediterranean diet with olive oil and fish reduces heart attack risk and memory decline."}
      {"_id": "d10", "title": "Influenza vaccination", "text": "Influenza vaccination strengthens the immune response of older adults and prevents hospital admissions."}
      {"_id": "d11", "title": "Green tea", "text": "Green tea catechins lower cholesterol levels and blood pressure in small trials."}
      {"_id": "d12", "title": "Omega-3 supplements", "text": "Omega-3 supplements reduce triglycerides and chronic inflammation but not stroke."}
      {"_id": "d13", "title": "Alcohol", "text": "Heavy alcohol use causes liver cirrhosis and increases the risk of depression and of cancer."}
      {"_id": "d14", "title": "Added sugar", "text": "Added sugar raises insulin resistance, cholesterol levels and the risk of type 2 diabetes."}
      {"_id": "d15", "title": "Intermittent fasting", "text": "Intermittent fasting changes gut bacteria and lowers insulin levels and blood pressure."}
      {"_id": "d16", "title": "Depression and exercise", "text": "Exercise reduces symptoms of depression and memory decline in older adults."}
      """;

  @Inject EmbeddedServer server;
  @Inject CoreServices core;
  @Inject WorkflowClient client;

  private String dbUrl;
  private EngramWorker worker;
  private final List<String> inDomain = DriftQuestions.inDomain(11);
  private final List<String> offDomain = DriftQuestions.offDomain(12);

  @Override
  public Map<String, String> getProperties() {
    dbUrl = EngramServicesExtension.postgres().createDatabase("drift_api_it");
    return serviceProperties(dbUrl, Map.of());
  }

  @BeforeAll
  void startWorkerAndIngest() throws Exception {
    worker = startWorker(dbUrl);
    byte[] corpus = CORPUS.getBytes(StandardCharsets.UTF_8);
    String hash = Hashing.sha256(corpus);
    assertThat(put("/v1/blobs/" + hash, corpus).status()).isEqualTo(201);
    Reply ingestion =
        post(
            "/v1/ingestions",
            Map.of(
                "collection",
                COLLECTION,
                "origin",
                "/data/health/corpus.jsonl",
                "files",
                List.of(
                    Map.of(
                        "path",
                        "/data/health/corpus.jsonl",
                        "sha256",
                        hash,
                        "size",
                        corpus.length))));
    assertThat(ingestion.status()).as(ingestion.body()).isEqualTo(202);
    awaitCompletion(ingestion.json().path("workflowId").asText());
  }

  @AfterAll
  void stopWorker() {
    try {
      client
          .newUntypedWorkflowStub(RetrainingWorkflow.workflowId(COLLECTION))
          .terminate("drift test done");
    } catch (RuntimeException e) {
      // No retraining was started: nothing to clean up.
    }
    if (worker != null) {
      worker.close();
    }
  }

  @Test
  @Order(1)
  void too_few_queries_are_insufficient_data_never_drift() throws Exception {
    ask(inDomain.subList(0, 150));

    JsonNode report = check(Map.of("collection", COLLECTION));

    assertThat(report.has("drift")).isTrue();
    assertThat(report.get("drift").isNull()).as(report.toString()).isTrue();
    assertThat(report.path("status").asText()).isEqualTo("insufficient_data");
    assertThat(report.path("referenceQueries").asInt()).isEqualTo(150);
    assertThat(report.path("recentQueries").asInt()).isZero();
    assertThat(report.path("referenceSource").asText()).isEqualTo("first-served");
    // The collection's version 1, registered when ingestion stored its documents, serves it.
    assertThat(report.path("modelVersion").asText()).isEqualTo(COLLECTION + "/v1");
    assertThat(report.get("retraining").isNull()).isTrue();
  }

  @Test
  @Order(2)
  void the_check_stays_quiet_on_in_domain_queries() throws Exception {
    // The reference is completed to 300; then 300 other in-domain questions.
    ask(inDomain.subList(150, 600));

    JsonNode report = check(Map.of("collection", COLLECTION, "retrain", true));

    assertThat(report.path("referenceQueries").asInt()).isEqualTo(300);
    assertThat(report.path("recentQueries").asInt()).isEqualTo(300);
    assertThat(report.path("drift").isBoolean()).as(report.toString()).isTrue();
    assertThat(report.path("drift").asBoolean()).as(report.toString()).isFalse();
    assertThat(report.path("features").size()).isEqualTo(5);
    report
        .path("features")
        .forEach(f -> assertThat(f.path("status").asText()).isNotEqualTo("drift"));
    // No drift, no retraining, even when asked for.
    assertThat(report.get("retraining").isNull()).isTrue();
  }

  @Test
  @Order(3)
  void the_check_fires_on_a_few_hundred_off_domain_queries_and_starts_a_retraining()
      throws Exception {
    ask(offDomain.subList(0, 300));

    JsonNode report = check(Map.of("collection", COLLECTION, "retrain", true));

    assertThat(report.path("drift").asBoolean()).as(report.toString()).isTrue();
    assertThat(report.path("status").asText()).isEqualTo("drift");
    assertThat(report.path("recentQueries").asInt()).isEqualTo(300);
    JsonNode unknown = report.path("features").path("unknown_term_share");
    assertThat(unknown.path("recentMean").asDouble())
        .isGreaterThan(unknown.path("referenceMean").asDouble() + 0.3);
    assertThat(report.path("retraining").path("workflowId").asText())
        .isEqualTo(RetrainingWorkflow.workflowId(COLLECTION));
    assertThat(report.path("retraining").path("outcome").asText()).isEqualTo("started");

    JsonNode reports = get("/v1/drift/reports?collection=" + COLLECTION).json().path("reports");
    assertThat(reports.size()).isEqualTo(3);
    assertThat(reports.get(0).path("id").asLong()).isEqualTo(report.path("id").asLong());
    assertThat(reports.get(2).get("drift").isNull()).isTrue();
    String metrics = get("/prometheus").body();
    assertThat(metrics)
        .contains("engram_drift_verdict{collection=\"health\"} 1.0")
        .contains("engram_drift_psi{collection=\"health\",feature=\"unknown_term_share\"}");
  }

  @Test
  @Order(4)
  void the_scheduled_workflow_checks_on_the_worker_and_leaves_a_running_retraining_alone()
      throws Exception {
    // A retraining of the collection that is surely still running: on a queue no worker polls.
    // The one the previous check started is ended first (without a labelled set it ends by
    // itself in a moment, which would race this test).
    try {
      client
          .newUntypedWorkflowStub(RetrainingWorkflow.workflowId(COLLECTION))
          .terminate("replaced by one that stays running");
    } catch (RuntimeException alreadyEnded) {
      // Nothing running.
    }
    WorkflowClient.start(
        client.newWorkflowStub(
                RetrainingWorkflow.class,
                WorkflowOptions.newBuilder()
                    .setWorkflowId(RetrainingWorkflow.workflowId(COLLECTION))
                    .setTaskQueue("nobody-polls")
                    .build())
            ::retrain,
        new RetrainingRequest(COLLECTION, RetrainingRequest.MANUAL, false, null, Map.of()));
    DriftWorkflow workflow =
        client.newWorkflowStub(
            DriftWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId("drift-api-it-" + System.nanoTime())
                .setTaskQueue(TaskQueues.TRAINING)
                .build());

    DriftSummary summary = workflow.check(new DriftRequest(COLLECTION, true));

    assertThat(summary.collections()).hasSize(1);
    assertThat(summary.collections().get(0).check().drift()).isTrue();
    assertThat(summary.collections().get(0).retraining()).isEqualTo(DriftSummary.ALREADY_RUNNING);
    assertThat(
            get("/v1/drift/reports?collection=" + COLLECTION + "&limit=1")
                .json()
                .path("reports")
                .get(0)
                .path("trigger")
                .asText())
        .isEqualTo("schedule");
  }

  @Test
  @Order(5)
  void bad_requests_are_problems() throws Exception {
    assertProblem(post("/v1/drift/checks", Map.of("collection", "nowhere")), 404);
    assertProblem(post("/v1/drift/checks", Map.of("collection", 5)), 400);
    assertProblem(post("/v1/drift/checks", Map.of("collection", "health", "retrain", "yes")), 400);
    assertProblem(post("/v1/drift/checks", Map.of("collection", "Not A Name")), 400);
    assertProblem(get("/v1/drift/reports?limit=0"), 400);
  }

  private JsonNode check(Map<String, Object> body) throws Exception {
    Reply reply = post("/v1/drift/checks", body);
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    // The figures docs/benchmarks/drift.md quotes.
    log.info("drift report: {}", reply.body());
    return reply.json();
  }

  /** Asks each question through {@code POST /v1/query} and waits until all are logged. */
  private void ask(List<String> questions) throws Exception {
    long before = featured();
    for (String q : questions) {
      Reply reply = post("/v1/query", Map.of("query", q, "collection", COLLECTION));
      assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    }
    await("queries logged")
        .atMost(Duration.ofSeconds(30))
        .until(() -> featured() >= before + questions.size());
  }

  private long featured() {
    return core.jdbi()
        .withHandle(
            h ->
                h.createQuery(
                        "SELECT count(*) FROM query_log WHERE collection = :c"
                            + " AND query_terms IS NOT NULL")
                    .bind("c", COLLECTION)
                    .mapTo(Long.class)
                    .one());
  }

  @Override
  protected URI baseUri() {
    return URI.create(server.getURL().toString());
  }
}
