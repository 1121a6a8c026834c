package io.engram.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.engram.core.Hashing;
import io.engram.core.evaluation.AnswerSample;
import io.engram.core.llm.LlmSettings;
import io.engram.testing.EngramServices;
import io.engram.testing.EngramServicesExtension;
import io.engram.testing.LlamaServer;
import io.engram.workers.EngramWorker;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The advisory answer tier end to end: an evaluation with {@code answers: 3} through the API, a
 * real worker answering with the real Gemma 3 270M behind llama.cpp's OpenAI-compatible server
 * (fact extraction kept local, as {@code ./engram up --with-llm} runs it), the figures stored in
 * {@code eval_runs} and {@code eval_answer_results} and returned by {@code GET
 * /v1/evaluations/{id}} in their own {@code answers} object. Gemma is slow on two cores (2-30 s per
 * answer), so the fixture is four queries over three documents.
 */
@EngramServices
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 12, unit = TimeUnit.MINUTES)
class EvaluationWithAnswersIT extends ApiTestSupport implements TestPropertyProvider {

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

  /** Query 4's relevant document is not in the corpus: no context can hold it. */
  private static final String QRELS =
      "query-id\tcorpus-id\tscore\n1\td-aspirin\t1\n2\td-coffee\t1\n3\td-coral\t1\n4\td-gone\t1\n";

  private static final Logger LOG = LoggerFactory.getLogger(EvaluationWithAnswersIT.class);

  @Inject EmbeddedServer server;

  private String dbUrl;
  private LlamaServer llm;
  private EngramWorker worker;

  @Override
  public Map<String, String> getProperties() {
    llm = LlamaServer.start();
    dbUrl = EngramServicesExtension.postgres().createDatabase("evaluation_with_answers_it");
    return serviceProperties(dbUrl, Map.of());
  }

  @BeforeAll
  void startWorkerAndIngest() throws Exception {
    worker =
        startWorker(
            dbUrl,
            Map.of(
                LlmSettings.ENV_PROVIDER,
                "openai",
                LlmSettings.ENV_BASE_URL,
                llm.baseUrl(),
                LlmSettings.ENV_MODEL,
                LlamaServer.MODEL,
                // Two cores shared with the build: generous, but bounded.
                LlmSettings.ENV_TIMEOUT_MS,
                "120000",
                LlmSettings.ENV_MAX_TOKENS,
                "96",
                // As ./engram up --with-llm starts it: the 270M model writes no extraction JSON.
                "ENGRAM_MEMORY_EXTRACTOR",
                "local"));
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
    assertThat(ingestion.status()).as(ingestion.body()).isEqualTo(202);
    assertThat(awaitCompletion(ingestion.json().path("workflowId").asText()).path("done").asInt())
        .isEqualTo(3);
  }

  @AfterAll
  void stop() {
    if (worker != null) {
      worker.close();
    }
    if (llm != null) {
      llm.close();
    }
  }

  @Test
  void three_answers_by_gemma_are_scored_stored_and_reported_apart_from_retrieval()
      throws Exception {
    Reply started =
        post(
            "/v1/evaluations",
            Map.of(
                "dataset",
                "tiny",
                "queriesBlob",
                upload(QUERIES),
                "qrelsBlob",
                upload(QRELS),
                "answers",
                3));
    assertThat(started.status()).as(started.body()).isEqualTo(202);
    String workflowId = started.json().path("workflowId").asText();

    JsonNode result = awaitEnd("/v1/evaluations/" + workflowId);
    LOG.info("advisory answer tier of {}: {}", workflowId, result.path("answers"));

    // The retrieval tier is what it is without answers: three of four documents found first.
    assertThat(result.path("ndcgAt10").asDouble()).isCloseTo(0.75, within(1e-9));
    assertThat(result.path("total").asInt()).isEqualTo(4);
    JsonNode answers = result.path("answers");
    assertThat(answers.isObject()).as(result.toString()).isTrue();
    assertThat(answers.path("model").asText()).isEqualTo("openai:" + LlamaServer.MODEL);
    assertThat(answers.path("sample").asInt()).isEqualTo(3);
    assertThat(answers.path("done").asInt()).isEqualTo(3);
    int generated = answers.path("generated").asInt();
    assertThat(generated + answers.path("fallback").asInt()).isEqualTo(3);
    assertThat(generated).as("answers Gemma wrote: %s", answers).isPositive();
    // The sample is the hash order of the ids (4, 2, 1): query 4's relevant document is in no
    // context, the others' are among the five passages of a three-document corpus.
    assertThat(answers.path("contextRecall").asDouble()).isCloseTo(2.0 / 3, within(1e-9));
    assertThat(answers.path("answerRelevancy").asDouble()).isBetween(0.0, 1.0);
    assertThat(answers.path("generationP50Ms").asDouble()).isPositive();
    if (answers.has("faithfulness")) {
      assertThat(answers.path("faithfulness").asDouble()).isBetween(0.0, 1.0);
    }

    try (Connection c =
        DriverManager.getConnection(
            dbUrl,
            EngramServicesExtension.postgres().user(),
            EngramServicesExtension.postgres().password())) {
      List<String> sampled = new ArrayList<>();
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT a.query_id, a.status, a.answer_mode, a.answer, a.latency_ms,"
                  + " cardinality(a.context_ids), a.faithfulness, a.answer_relevancy,"
                  + " a.context_recall, a.error"
                  + " FROM eval_answer_results a JOIN eval_runs r ON r.id = a.eval_run_id"
                  + " WHERE r.workflow_id = ? ORDER BY a.slot")) {
        ps.setString(1, workflowId);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            sampled.add(rs.getString(1));
            assertThat(rs.getString(2)).isEqualTo("done");
            assertThat(rs.getInt(6)).isBetween(1, 5);
            assertThat(rs.getDouble(9)).isBetween(0.0, 1.0);
            if (rs.getString(3).equals("llm")) {
              assertThat(rs.getString(4)).isNotBlank();
              assertThat(rs.getDouble(5)).isPositive();
              assertThat(rs.getDouble(8)).isBetween(0.0, 1.0);
              assertThat(rs.getString(10)).isNull();
            } else {
              assertThat(rs.getString(3)).isEqualTo("fallback");
              assertThat(rs.getString(10)).isNotBlank();
              assertThat(rs.getObject(8)).isNull();
            }
          }
        }
      }
      assertThat(sampled)
          .containsExactlyElementsOf(AnswerSample.select(List.of("1", "2", "3", "4"), 3));
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT answer_model, answer_sample, answers_generated, answer_context_recall,"
                  + " answer_relevancy FROM eval_runs WHERE workflow_id = ?")) {
        ps.setString(1, workflowId);
        try (ResultSet rs = ps.executeQuery()) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getString(1)).isEqualTo("openai:" + LlamaServer.MODEL);
          assertThat(rs.getInt(2)).isEqualTo(3);
          assertThat(rs.getInt(3)).isEqualTo(generated);
          assertThat(rs.getDouble(4)).isEqualTo(answers.path("contextRecall").asDouble());
          assertThat(rs.getDouble(5)).isEqualTo(answers.path("answerRelevancy").asDouble());
        }
      }
    }
  }

  private String upload(String text) throws Exception {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    String hash = Hashing.sha256(bytes);
    Reply reply = put("/v1/blobs/" + hash, bytes);
    assertThat(reply.status()).isEqualTo(201);
    return hash;
  }

  private JsonNode awaitEnd(String path) {
    JsonNode status =
        await(path + " ended")
            .atMost(Duration.ofMinutes(9))
            .pollInterval(Duration.ofMillis(500))
            .until(() -> get(path).json(), s -> !s.path("status").asText().equals("RUNNING"));
    assertThat(status.path("status").asText()).as(status.toString()).isEqualTo("COMPLETED");
    return status;
  }

  @Override
  protected URI baseUri() {
    return URI.create(server.getURL().toString());
  }
}
