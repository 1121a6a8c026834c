package io.engram.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.engram.core.Hashing;
import io.engram.testing.EngramServices;
import io.engram.testing.EngramServicesExtension;
import io.engram.workers.EngramWorker;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * {@code /v1/evaluations} against real services and a real worker: upload the query files, start an
 * evaluation, follow it to the stored result, and RFC 7807 problems for bad input.
 */
@EngramServices
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class EvaluationApiIT extends ApiTestSupport implements TestPropertyProvider {

  private static final String CORPUS =
      """
      {"_id": "d-aspirin", "title": "Aspirin and heart attacks", "text": "Daily low-dose aspirin reduces the risk of a first heart attack in adults."}
      {"_id": "d-coffee", "title": "Coffee and the liver", "text": "Regular coffee drinking is associated with lower rates of liver cirrhosis."}
      {"_id": "d-coral", "title": "Coral bleaching", "text": "Coral reefs bleach when sea temperatures rise above what the corals tolerate."}
      """;
  private static final String QUERIES =
      """
      {"_id": "1", "text": "Does aspirin prevent heart attacks?"}
      {"_id": "2", "text": "Is coffee good for the liver?"}
      {"_id": "3", "text": "What makes coral reefs bleach?"}
      {"_id": "4", "text": "Which treatment cures the common cold?"}
      """;
  private static final String QRELS =
      "query-id\tcorpus-id\tscore\n1\td-aspirin\t1\n2\td-coffee\t1\n3\td-coral\t1\n4\td-gone\t1\n";

  @Inject EmbeddedServer server;

  private String dbUrl;
  private EngramWorker worker;
  private String queriesBlob;
  private String qrelsBlob;

  @Override
  public Map<String, String> getProperties() {
    dbUrl = EngramServicesExtension.postgres().createDatabase("evaluation_api_it");
    return serviceProperties(dbUrl, Map.of());
  }

  @BeforeAll
  void startWorkerAndIngest() throws Exception {
    worker = startWorker(dbUrl);
    String corpus = upload(CORPUS);
    Reply ingestion =
        post(
            "/v1/ingestions",
            Map.of(
                "collection", "tiny",
                "origin", "/data/tiny/corpus.jsonl",
                "files",
                    List.of(
                        Map.of(
                            "path",
                            "/data/tiny/corpus.jsonl",
                            "sha256",
                            corpus,
                            "size",
                            CORPUS.getBytes(StandardCharsets.UTF_8).length))));
    JsonNode ingested =
        awaitEnd("/v1/ingestions/" + ingestion.json().path("workflowId").asText(), "COMPLETED");
    assertThat(ingested.path("done").asInt()).isEqualTo(3);
    queriesBlob = upload(QUERIES);
    qrelsBlob = upload(QRELS);
  }

  @AfterAll
  void stopWorker() {
    if (worker != null) {
      worker.close();
    }
  }

  @Test
  void an_evaluation_runs_to_its_stored_result() throws Exception {
    Reply started = post("/v1/evaluations", create(Map.of()));
    assertThat(started.status()).as(started.body()).isEqualTo(202);
    String workflowId = started.json().path("workflowId").asText();
    assertThat(workflowId).startsWith("eval-tiny-test-all-");
    assertThat(started.json().path("runId").asText()).isNotBlank();

    JsonNode result = awaitEnd("/v1/evaluations/" + workflowId, "COMPLETED");

    assertThat(result.path("phase").asText()).isEqualTo("done");
    assertThat(result.path("dataset").asText()).isEqualTo("tiny");
    assertThat(result.path("split").asText()).isEqualTo("test");
    assertThat(result.path("part").asText()).isEqualTo("all");
    assertThat(result.path("collection").asText()).isEqualTo("tiny");
    // The collection's champion, version 1, whose bundle holds the index the test embedded with.
    assertThat(result.path("modelVersion").asText()).isEqualTo("tiny/v1");
    assertThat(get("/v1/models/tiny/versions/1").json().path("indexVersion").path("name").asText())
        .startsWith(MODEL);
    assertThat(result.path("total").asInt()).isEqualTo(4);
    assertThat(result.path("done").asInt()).isEqualTo(4);
    assertThat(result.path("ndcgAt10").asDouble()).isCloseTo(0.75, within(1e-9));
    assertThat(result.path("mrrAt10").asDouble()).isCloseTo(0.75, within(1e-9));
    assertThat(result.path("recallAt100").asDouble()).isCloseTo(0.75, within(1e-9));
    assertThat(result.path("p50Ms").asDouble()).isPositive();
    assertThat(result.path("p95Ms").asDouble())
        .isGreaterThanOrEqualTo(result.path("p50Ms").asDouble());
    assertThat(result.path("finishedAt").asText()).isNotBlank();
    // Absent fields are null: the API leaves them out of the body, the answer tier too when no
    // answers were asked for.
    assertThat(result.path("failure").isMissingNode()).isTrue();
    assertThat(result.path("answers").isMissingNode()).isTrue();
  }

  @Test
  void malformed_qrels_fail_the_run_with_the_reason() throws Exception {
    String bad = upload("1\td-aspirin\t1\n2\td-coffee\n");
    Reply started = post("/v1/evaluations", create(Map.of("qrelsBlob", bad)));
    assertThat(started.status()).isEqualTo(202);

    JsonNode result =
        awaitEnd("/v1/evaluations/" + started.json().path("workflowId").asText(), "FAILED");

    assertThat(result.path("phase").asText()).isEqualTo("failed");
    assertThat(result.path("failure").asText()).contains("qrels line 2");
    assertThat(result.path("evalRunId").isMissingNode()).isTrue();
  }

  @Test
  void answers_asked_of_a_worker_without_an_llm_fail_the_run_at_once_with_the_reason()
      throws Exception {
    Reply started = post("/v1/evaluations", create(Map.of("answers", 2)));
    assertThat(started.status()).as(started.body()).isEqualTo(202);

    JsonNode result =
        awaitEnd("/v1/evaluations/" + started.json().path("workflowId").asText(), "FAILED");

    assertThat(result.path("phase").asText()).isEqualTo("failed");
    assertThat(result.path("failure").asText()).contains("no LLM", "ENGRAM_LLM_PROVIDER");
    // It failed before anything was registered or retrieved.
    assertThat(result.path("evalRunId").isMissingNode()).isTrue();
    assertThat(result.path("answers").isMissingNode()).isTrue();
  }

  @Test
  void bad_requests_get_problem_bodies() throws Exception {
    assertProblem(post("/v1/evaluations", create(Map.of("collection", "nope"))), 404);
    assertProblem(post("/v1/evaluations", create(Map.of("collection", "Bad Name!"))), 400);
    assertProblem(post("/v1/evaluations", create(Map.of("model", "no-such-version"))), 404);
    assertProblem(post("/v1/evaluations", create(Map.of("split", "validation"))), 400);
    assertProblem(post("/v1/evaluations", create(Map.of("part", "heldout"))), 400);
    assertProblem(post("/v1/evaluations", create(Map.of("limit", 0))), 400);
    assertProblem(post("/v1/evaluations", create(Map.of("answers", -1))), 400);
    assertProblem(post("/v1/evaluations", create(Map.of("answers", 1001))), 400);
    assertProblem(post("/v1/evaluations", create(Map.of("qrelsBlob", "f".repeat(64)))), 400);
    assertProblem(post("/v1/evaluations", create(Map.of("queriesBlob", "not-a-hash"))), 400);
    Map<String, Object> noDataset = create(Map.of());
    noDataset.remove("dataset");
    assertProblem(post("/v1/evaluations", noDataset), 400);
    assertProblem(get("/v1/evaluations/eval-nothing-0000"), 404);
  }

  @Test
  void a_model_version_problem_names_the_version() throws Exception {
    Reply reply = post("/v1/evaluations", create(Map.of("model", "no-such-version")));
    assertProblem(reply, 404);
    assertThat(reply.json().path("type").asText()).endsWith("model-version-not-found");
    assertThat(reply.json().path("detail").asText()).contains("'no-such-version'");
  }

  private Map<String, Object> create(Map<String, Object> overrides) {
    Map<String, Object> body = new HashMap<>();
    body.put("dataset", "tiny");
    body.put("queriesBlob", queriesBlob);
    body.put("qrelsBlob", qrelsBlob);
    body.putAll(overrides);
    return body;
  }

  private String upload(String text) throws Exception {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    String hash = Hashing.sha256(bytes);
    Reply reply = put("/v1/blobs/" + hash, bytes);
    assertThat(reply.status()).isEqualTo(201);
    return hash;
  }

  private JsonNode awaitEnd(String path, String expected) {
    JsonNode status =
        await(path + " ended")
            .atMost(Duration.ofMinutes(2))
            .pollInterval(Duration.ofMillis(200))
            .until(() -> get(path).json(), s -> !s.path("status").asText().equals("RUNNING"));
    assertThat(status.path("status").asText()).as(status.toString()).isEqualTo(expected);
    return status;
  }

  @Override
  protected URI baseUri() {
    return URI.create(server.getURL().toString());
  }
}
