package io.engram.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import io.engram.cli.FakeApi.Response;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalCommandTest {

  private static final String WORKFLOW = "eval-scifact-train-held-out-0f8e4a52";
  private static final String QUERIES = "{\"_id\":\"1\",\"text\":\"does aspirin help\"}\n";
  private static final String QRELS = "query-id\tcorpus-id\tscore\n1\td1\t1\n";

  @TempDir Path tmp;

  private FakeApi api;
  private Path beir;

  @BeforeEach
  void setUp() throws IOException {
    api = new FakeApi();
    beir = Files.createDirectories(tmp.resolve("SciFact"));
    Files.writeString(beir.resolve("corpus.jsonl"), "{\"_id\":\"d1\",\"text\":\"aspirin\"}\n");
    Files.writeString(beir.resolve("queries.jsonl"), QUERIES);
    Files.createDirectories(beir.resolve("qrels"));
    Files.writeString(beir.resolve("qrels/train.tsv"), QRELS);
  }

  @AfterEach
  void stopApi() {
    api.close();
  }

  @Test
  void uploads_the_query_files_starts_the_workflow_and_ends_with_the_eval_line() {
    Map<String, byte[]> uploaded = new ConcurrentHashMap<>();
    AtomicInteger polls = new AtomicInteger();
    api.on(
            "POST",
            "/v1/blobs/missing",
            r -> Response.json(200, "{\"missing\":" + r.json().get("hashes") + "}"))
        .on(
            "PUT",
            "/v1/blobs/[0-9a-f]{64}",
            r -> {
              String hash = r.path().substring("/v1/blobs/".length());
              uploaded.put(hash, r.body());
              return Response.json(201, "{\"sha256\":\"" + hash + "\",\"size\":1}");
            })
        .on("POST", "/v1/evaluations", r -> started())
        .on(
            "GET",
            "/v1/evaluations/" + WORKFLOW,
            r -> Response.json(200, polls.incrementAndGet() < 3 ? running() : completed()));

    CliRunner.Result result =
        CliRunner.run(
            "--api",
            api.url(),
            "eval",
            beir.toString(),
            "--split",
            "train",
            "--part",
            "held-out",
            "--model",
            "bge-small-en-v1.5-q-c1024-o200",
            "--limit",
            "500");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(uploaded.keySet()).containsExactlyInAnyOrder(sha256(QUERIES), sha256(QRELS));
    assertThat(uploaded.get(sha256(QRELS))).isEqualTo(QRELS.getBytes(StandardCharsets.UTF_8));

    JsonNode request = api.requests("POST", "/v1/evaluations").get(0).json();
    assertThat(request.get("dataset").asText()).isEqualTo("scifact");
    assertThat(request.get("collection").asText()).isEqualTo("scifact");
    assertThat(request.get("split").asText()).isEqualTo("train");
    assertThat(request.get("part").asText()).isEqualTo("held-out");
    assertThat(request.get("model").asText()).isEqualTo("bge-small-en-v1.5-q-c1024-o200");
    assertThat(request.get("limit").asInt()).isEqualTo(500);
    assertThat(request.get("queriesBlob").asText()).isEqualTo(sha256(QUERIES));
    assertThat(request.get("qrelsBlob").asText()).isEqualTo(sha256(QRELS));
    // Only hashes travel in the request; the query text went up as a blob.
    assertThat(request.toString()).doesNotContain("aspirin");

    assertThat(polls.get()).isEqualTo(3);
    List<String> lines = result.out().lines().toList();
    assertThat(lines)
        .contains(
            "model        bge-small-en-v1.5-q-c1024-o200",
            "split        train",
            "part         held-out (164 queries)",
            "ndcg@10      0.7597",
            "recall@10    0.8596",
            "p95_ms       72.8");
    assertThat(lines.get(lines.size() - 1))
        .isEqualTo(
            "eval ndcg@10=0.7597 mrr@10=0.7346 recall@100=0.9571 p50_ms=41.6 p95_ms=72.8"
                + " queries=164");
    assertThat(result.err()).contains("evaluating in workflow " + WORKFLOW);
    // Without --answers nothing is asked of the LLM and no advisory block is printed.
    assertThat(request.has("answers")).isFalse();
    assertThat(result.out()).doesNotContain("advisory");
  }

  @Test
  void answers_are_asked_for_and_printed_as_an_advisory_block_before_the_eval_line() {
    AtomicInteger polls = new AtomicInteger();
    api.on("POST", "/v1/blobs/missing", r -> Response.json(200, "{\"missing\":[]}"))
        .on("POST", "/v1/evaluations", r -> started())
        .on(
            "GET",
            "/v1/evaluations/" + WORKFLOW,
            r ->
                Response.json(200, polls.incrementAndGet() < 2 ? answering() : completed(ANSWERS)));

    CliRunner.Result result =
        CliRunner.run("--api", api.url(), "eval", beir.toString(), "--answers", "20");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(api.requests("POST", "/v1/evaluations").get(0).json().get("answers").asInt())
        .isEqualTo(20);
    List<String> lines = result.out().lines().toList();
    // The retrieval table is as it was, the advisory block comes after it, the eval line last.
    assertThat(lines.subList(0, 12))
        .startsWith("dataset      scifact")
        .contains("ndcg@10      0.7597", "p95_ms       72.8")
        .endsWith("workflow     " + WORKFLOW);
    assertThat(lines.subList(12, lines.size() - 1))
        .containsExactly(
            "",
            "answer-level (advisory) — 20 answers by openai:gemma-3-270m, not retrieval metrics",
            "  faithfulness       0.8125  share of claims supported by the passages they cite",
            "  answer_relevancy   0.6104  cosine of question and answer embeddings",
            "  context_recall     0.5500  relevant documents among the passages given to the LLM",
            "  answered           17 by the LLM, 3 fallback (LLM unavailable or timed out, not"
                + " scored)",
            "  generation_p50_ms  7300.5",
            "");
    assertThat(lines.get(lines.size() - 1))
        .isEqualTo(
            "eval ndcg@10=0.7597 mrr@10=0.7346 recall@100=0.9571 p50_ms=41.6 p95_ms=72.8"
                + " queries=164");
  }

  @Test
  void json_carries_the_advisory_tier_in_its_own_object_and_missing_means_are_null()
      throws Exception {
    String noneGenerated =
        "{\"model\":\"openai:gemma-3-270m\",\"sample\":2,\"done\":2,\"generated\":0,"
            + "\"fallback\":2,\"contextRecall\":0.5}";
    api.on("POST", "/v1/blobs/missing", r -> Response.json(200, "{\"missing\":[]}"))
        .on("POST", "/v1/evaluations", r -> started())
        .on("GET", "/v1/evaluations/.*", r -> Response.json(200, completed(noneGenerated)));

    CliRunner.Result json =
        CliRunner.run("--api", api.url(), "eval", beir.toString(), "--answers", "2", "--json");
    CliRunner.Result text =
        CliRunner.run("--api", api.url(), "eval", beir.toString(), "--answers", "2");

    assertThat(json.exitCode()).as(json.err()).isZero();
    JsonNode printed = EngramClient.JSON.readTree(json.out());
    assertThat(printed.get("ndcg@10").asDouble()).isEqualTo(0.75971);
    JsonNode answers = printed.get("answers");
    assertThat(answers.get("advisory").asBoolean()).isTrue();
    assertThat(answers.get("model").asText()).isEqualTo("openai:gemma-3-270m");
    assertThat(answers.get("answers").asInt()).isEqualTo(2);
    assertThat(answers.get("fallback").asInt()).isEqualTo(2);
    assertThat(answers.get("faithfulness").isNull()).isTrue();
    assertThat(answers.get("context_recall").asDouble()).isEqualTo(0.5);
    assertThat(text.out())
        .contains(
            "  faithfulness       n/a     share of claims",
            "  answered           0 by the LLM, 2 fallback");
  }

  @Test
  void answers_out_of_range_are_refused_and_help_documents_the_option() {
    assertThat(CliRunner.run("--api", api.url(), "eval", beir.toString(), "--answers", "-1"))
        .satisfies(r -> assertThat(r.exitCode()).isEqualTo(2))
        .satisfies(r -> assertThat(r.err()).contains("--answers must be between 0 and 1000"));
    assertThat(CliRunner.run("--api", api.url(), "eval", beir.toString(), "--answers", "1001"))
        .satisfies(r -> assertThat(r.exitCode()).isEqualTo(2));
    assertThat(api.requests()).isEmpty();
    assertThat(CliRunner.run("eval", "--help").out())
        .contains(
            "--answers=N", "faithfulness", "answer relevancy", "context recall", "--with-llm");
  }

  @Test
  void json_prints_one_document_and_stored_blobs_are_not_uploaded_again() throws Exception {
    api.on("POST", "/v1/blobs/missing", r -> Response.json(200, "{\"missing\":[]}"))
        .on("POST", "/v1/evaluations", r -> started())
        .on("GET", "/v1/evaluations/.*", r -> Response.json(200, completed()));

    CliRunner.Result result =
        CliRunner.run("--api", api.url(), "eval", beir.toString(), "--collection", "sf", "--json");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(api.requests("PUT", ".*")).isEmpty();
    JsonNode printed =
        EngramClient.JSON
            .readerFor(JsonNode.class)
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .readValue(result.out());
    assertThat(printed.get("ndcg@10").asDouble()).isEqualTo(0.75971);
    assertThat(printed.get("p50_ms").asDouble()).isEqualTo(41.62);
    assertThat(printed.get("queries").asInt()).isEqualTo(164);
    assertThat(printed.get("part").asText()).isEqualTo("held-out");
    assertThat(printed.get("modelVersion").asText()).isEqualTo("bge-small-en-v1.5-q-c1024-o200");
    JsonNode request = api.requests("POST", "/v1/evaluations").get(0).json();
    assertThat(request.get("collection").asText()).isEqualTo("sf");
    assertThat(request.get("part").asText()).isEqualTo("all");
    assertThat(request.has("model")).isFalse();
    assertThat(request.has("limit")).isFalse();
    // Without --split and without qrels/test.tsv, the train split is used, and said so.
    assertThat(request.get("split").asText()).isEqualTo("train");
    assertThat(result.err()).contains("evaluating the train split");
  }

  @Test
  void a_failed_workflow_exits_with_one_and_its_reason() {
    api.on("POST", "/v1/blobs/missing", r -> Response.json(200, "{\"missing\":[]}"))
        .on("POST", "/v1/evaluations", r -> started())
        .on(
            "GET",
            "/v1/evaluations/.*",
            r ->
                Response.json(
                    200,
                    "{\"workflowId\":\""
                        + WORKFLOW
                        + "\",\"status\":\"FAILED\",\"phase\":\"failed\",\"total\":0,\"done\":0,"
                        + "\"failure\":\"qrels line 3: score 'x' is not an integer\"}"));

    CliRunner.Result result = CliRunner.run("--api", api.url(), "eval", beir.toString());

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err())
        .contains(
            "error: the evaluation workflow ended with status FAILED: qrels line 3: score 'x'");
    assertThat(result.out()).doesNotContain("eval ndcg@10=");
  }

  @Test
  void an_unknown_collection_is_a_usage_error_from_the_api() {
    api.on("POST", "/v1/blobs/missing", r -> Response.json(200, "{\"missing\":[]}"))
        .on(
            "POST",
            "/v1/evaluations",
            r -> Response.problem(404, "Not Found", "no collection 'scifact'; ingest it first"));

    CliRunner.Result result = CliRunner.run("--api", api.url(), "eval", beir.toString());

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("no collection 'scifact'");
  }

  @Test
  void bad_options_and_missing_files_are_refused_before_contacting_the_api() {
    assertThat(CliRunner.run("--api", api.url(), "eval", beir.toString(), "--part", "heldout"))
        .satisfies(r -> assertThat(r.exitCode()).isEqualTo(2))
        .satisfies(r -> assertThat(r.err()).contains("--part must be one of all, fit, held-out"));
    assertThat(CliRunner.run("--api", api.url(), "eval", beir.toString(), "--split", "dev2"))
        .satisfies(r -> assertThat(r.exitCode()).isEqualTo(2));
    assertThat(CliRunner.run("--api", api.url(), "eval", beir.toString(), "--limit", "0"))
        .satisfies(r -> assertThat(r.exitCode()).isEqualTo(2));
    CliRunner.Result noTest =
        CliRunner.run("--api", api.url(), "eval", beir.toString(), "--split", "test");
    assertThat(noTest.exitCode()).isEqualTo(2);
    assertThat(noTest.err()).contains("need queries.jsonl and qrels/test.tsv");
    assertThat(api.requests()).isEmpty();
  }

  @Test
  void help_lists_the_options() {
    CliRunner.Result result = CliRunner.run("eval", "--help");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out())
        .contains("--split", "--part", "--model", "--collection", "--limit", "held-out");
  }

  private static Response started() {
    return Response.json(202, "{\"workflowId\":\"" + WORKFLOW + "\",\"runId\":\"run-1\"}");
  }

  private static String running() {
    return "{\"workflowId\":\""
        + WORKFLOW
        + "\",\"status\":\"RUNNING\",\"phase\":\"evaluating\",\"total\":164,\"done\":50,"
        + "\"ndcgAt10\":0.71}";
  }

  private static final String ANSWERS =
      "{\"model\":\"openai:gemma-3-270m\",\"sample\":20,\"done\":20,\"generated\":17,"
          + "\"fallback\":3,\"faithfulness\":0.8125,\"answerRelevancy\":0.61038,"
          + "\"contextRecall\":0.55,\"generationP50Ms\":7300.5}";

  private static String answering() {
    return "{\"workflowId\":\""
        + WORKFLOW
        + "\",\"status\":\"RUNNING\",\"phase\":\"answering\",\"total\":164,\"done\":164,"
        + "\"ndcgAt10\":0.75971,\"answers\":{\"model\":\"openai:gemma-3-270m\",\"sample\":20,"
        + "\"done\":5,\"generated\":5,\"fallback\":0}}";
  }

  private static String completed(String answers) {
    String body = completed();
    return body.substring(0, body.length() - 1) + ",\"answers\":" + answers + "}";
  }

  private static String completed() {
    return "{\"workflowId\":\""
        + WORKFLOW
        + "\",\"runId\":\"run-1\",\"status\":\"COMPLETED\",\"phase\":\"done\",\"evalRunId\":7,"
        + "\"dataset\":\"scifact\",\"split\":\"train\",\"part\":\"held-out\","
        + "\"collection\":\"scifact\",\"modelVersion\":\"bge-small-en-v1.5-q-c1024-o200\","
        + "\"total\":164,\"done\":164,\"ndcgAt10\":0.75971,\"mrrAt10\":0.73456,"
        + "\"recallAt10\":0.85960,\"recallAt100\":0.95710,\"p50Ms\":41.62,\"p95Ms\":72.81}";
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
