package io.engram.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.engram.contract.Evaluations.AnswerMetrics;
import io.engram.contract.Evaluations.EvaluationStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code eval} checks before it contacts the API, and how it prints a result; the command
 * against a real API is {@link EvalCommandIT}.
 */
class EvalCommandTest {
  /** Nothing listens there: a command that contacted the API would exit 3, not 2. */
  private static final String NO_API = "http://127.0.0.1:9";

  private static final String WORKFLOW = "eval-scifact-train-held-out-0f8e4a52";

  @TempDir Path tmp;

  private Path beir;

  @BeforeEach
  void writeBeirFolder() throws IOException {
    beir = Files.createDirectories(tmp.resolve("SciFact"));
    Files.writeString(beir.resolve("corpus.jsonl"), "{\"_id\":\"d1\",\"text\":\"aspirin\"}\n");
    Files.writeString(beir.resolve("queries.jsonl"), "{\"_id\":\"1\",\"text\":\"aspirin?\"}\n");
    Files.createDirectories(beir.resolve("qrels"));
    Files.writeString(beir.resolve("qrels/train.tsv"), "query-id\tcorpus-id\tscore\n1\td1\t1\n");
  }

  @Test
  void the_table_ends_with_the_eval_line_and_has_no_advisory_block_without_answers() {
    List<String> lines = table(completed(null)).lines().toList();

    assertThat(lines)
        .contains(
            "model        bge-small-en-v1.5-q-c1024-o200",
            "split        train",
            "part         held-out (164 queries)",
            "ndcg@10      0.7597",
            "recall@10    0.8596",
            "p95_ms       72.8",
            "workflow     " + WORKFLOW);
    assertThat(lines.get(lines.size() - 1))
        .isEqualTo(
            "eval ndcg@10=0.7597 mrr@10=0.7346 recall@100=0.9571 p50_ms=41.6 p95_ms=72.8"
                + " queries=164");
    assertThat(String.join("\n", lines)).doesNotContain("advisory");
  }

  @Test
  void answers_are_printed_as_an_advisory_block_before_the_eval_line() {
    AnswerMetrics answers =
        new AnswerMetrics("openai:gemma-3-270m", 20, 20, 17, 3, 0.8125, 0.61038, 0.55, 7300.5);

    List<String> lines = table(completed(answers)).lines().toList();

    // The retrieval table is as it was, the advisory block comes after it, the eval line last.
    assertThat(lines.subList(0, 12))
        .startsWith("dataset      scifact")
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
    assertThat(lines.get(lines.size() - 1)).startsWith("eval ndcg@10=0.7597 ");
  }

  @Test
  void json_is_the_apis_document_with_the_advisory_tier_in_its_own_object() {
    AnswerMetrics noneGenerated =
        new AnswerMetrics("openai:gemma-3-270m", 2, 2, 0, 2, null, null, 0.5, null);

    JsonNode printed = EngramClient.JSON.valueToTree(completed(noneGenerated));

    // The figures are named as in GET /v1/evaluations/{id}, retrain --json and models --json.
    assertThat(printed.get("ndcgAt10").asDouble()).isEqualTo(0.75971);
    assertThat(printed.get("p95Ms").asDouble()).isEqualTo(72.81);
    assertThat(printed.get("part").asText()).isEqualTo("held-out");
    JsonNode answers = printed.get("answers");
    assertThat(answers.get("sample").asInt()).isEqualTo(2);
    assertThat(answers.get("fallback").asInt()).isEqualTo(2);
    assertThat(answers.get("faithfulness").isNull()).isTrue();
    assertThat(answers.get("contextRecall").asDouble()).isEqualTo(0.5);
    assertThat(table(completed(noneGenerated)))
        .contains(
            "  faithfulness       n/a     share of claims",
            "  answered           0 by the LLM, 2 fallback");
  }

  @Test
  void answers_out_of_range_are_refused_and_help_documents_the_option() {
    assertThat(CliRunner.run("--api", NO_API, "eval", beir.toString(), "--answers", "-1"))
        .satisfies(r -> assertThat(r.exitCode()).isEqualTo(2))
        .satisfies(r -> assertThat(r.err()).contains("--answers must be between 0 and 1000"));
    assertThat(CliRunner.run("--api", NO_API, "eval", beir.toString(), "--answers", "1001"))
        .satisfies(r -> assertThat(r.exitCode()).isEqualTo(2));
    assertThat(CliRunner.run("eval", "--help").out())
        .contains(
            "--answers=N", "faithfulness", "answer relevancy", "context recall", "--with-llm");
  }

  @Test
  void bad_options_and_missing_files_are_refused_before_contacting_the_api() {
    assertThat(
            CliRunner.run(
                "--api", NO_API, "eval", beir.toString(), "--check", "--collection", "Bad/Name"))
        .satisfies(r -> assertThat(r.exitCode()).isEqualTo(2))
        .satisfies(
            r ->
                assertThat(r.err())
                    .contains("--collection 'Bad/Name' is not a valid collection name"));
    assertThat(CliRunner.run("--api", NO_API, "eval", beir.toString(), "--part", "heldout"))
        .satisfies(r -> assertThat(r.exitCode()).isEqualTo(2))
        .satisfies(r -> assertThat(r.err()).contains("--part must be one of all, fit, held-out"));
    assertThat(CliRunner.run("--api", NO_API, "eval", beir.toString(), "--split", "dev2"))
        .satisfies(r -> assertThat(r.exitCode()).isEqualTo(2))
        .satisfies(r -> assertThat(r.err()).contains("--split must be one of test, train, dev"));
    assertThat(CliRunner.run("--api", NO_API, "eval", beir.toString(), "--limit", "0"))
        .satisfies(r -> assertThat(r.exitCode()).isEqualTo(2));
    CliRunner.Result noTest =
        CliRunner.run("--api", NO_API, "eval", beir.toString(), "--split", "test");
    assertThat(noTest.exitCode()).isEqualTo(2);
    assertThat(noTest.err()).contains("need queries.jsonl and qrels/test.tsv");
  }

  @Test
  void help_lists_the_options() {
    CliRunner.Result result = CliRunner.run("eval", "--help");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out())
        .contains("--split", "--part", "--model", "--collection", "--limit", "held-out");
  }

  private static String table(EvaluationStatus status) {
    StringWriter text = new StringWriter();
    EvalCommand.printTable(new PrintWriter(text, true), status);
    return text.toString();
  }

  private static EvaluationStatus completed(AnswerMetrics answers) {
    return new EvaluationStatus(
        WORKFLOW,
        "run-1",
        "COMPLETED",
        "done",
        7L,
        "scifact",
        "train",
        "held-out",
        "scifact",
        "bge-small-en-v1.5-q-c1024-o200",
        164,
        164,
        0.75971,
        0.73456,
        0.85960,
        0.95710,
        41.62,
        72.81,
        null,
        null,
        null,
        answers);
  }
}
