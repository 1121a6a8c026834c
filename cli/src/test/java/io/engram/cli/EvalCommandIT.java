package io.engram.cli;

import static io.engram.cli.IngestCommandIT.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.engram.core.CoreServices;
import io.engram.core.registry.ModelAliases;
import io.engram.core.registry.RegisteredVersion;
import io.engram.core.retrieval.RetrievalSettings;
import io.engram.testing.EngramServices;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./engram eval} against a real API and worker, on a three-document BEIR folder written by
 * the test.
 */
@EngramServices
@ExtendWith(RealEngram.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class EvalCommandIT {
  private static final String COLLECTION = "eval-it";

  @TempDir Path tmp;

  private Path beir;

  @BeforeAll
  void ingestTheCorpus(@TempDir Path home) throws Exception {
    beir = home.resolve("TinyBeir");
    write(
        beir.resolve("corpus.jsonl"),
        """
        {"_id":"d1","title":"Coral reefs","text":"Coral reefs bleach when sea temperatures rise."}
        {"_id":"d2","title":"Glaciers","text":"Glaciers in Greenland are melting faster every decade."}
        {"_id":"d3","title":"Aspirin","text":"Aspirin reduces the risk of heart attacks in some patients."}
        """);
    write(
        beir.resolve("queries.jsonl"),
        """
        {"_id":"q1","text":"why do coral reefs bleach"}
        {"_id":"q2","text":"are the glaciers of greenland melting"}
        """);
    // Only a train split: without --split the CLI falls back to it and says so.
    write(beir.resolve("qrels/train.tsv"), "query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t1\n");
    CliRunner.Result ingested =
        CliRunner.run(
            "--api",
            RealEngram.url(),
            "ingest",
            beir.resolve("corpus.jsonl").toString(),
            "--collection",
            COLLECTION);
    assertThat(ingested.exitCode()).as(ingested.err()).isZero();
  }

  @Test
  void eval_uploads_the_query_files_follows_the_workflow_and_ends_with_the_eval_line() {
    CliRunner.Result result =
        CliRunner.run(
            "--api", RealEngram.url(), "eval", beir.toString(), "--collection", COLLECTION);

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.err()).contains("evaluating the train split", "evaluating in workflow eval-");
    assertThat(result.out())
        .contains(
            "collection   " + COLLECTION, "split        train", "part         all (2 queries)")
        .containsPattern(
            "(?m)^eval ndcg@10=\\d\\.\\d{4} mrr@10=\\d\\.\\d{4} recall@100=\\d\\.\\d{4}"
                + " p50_ms=\\d+\\.\\d p95_ms=\\d+\\.\\d queries=2$");
  }

  @Test
  void json_prints_the_apis_evaluation_document() throws Exception {
    CliRunner.Result result =
        CliRunner.run(
            "--api",
            RealEngram.url(),
            "eval",
            beir.toString(),
            "--collection",
            COLLECTION,
            "--json");

    assertThat(result.exitCode()).as(result.err()).isZero();
    JsonNode printed = IngestCommandIT.readOne(result.out(), JsonNode.class);
    assertThat(printed.path("dataset").asText()).isEqualTo("tinybeir");
    assertThat(printed.path("collection").asText()).isEqualTo(COLLECTION);
    assertThat(printed.path("split").asText()).isEqualTo("train");
    assertThat(printed.path("part").asText()).isEqualTo("all");
    assertThat(printed.path("total").asInt()).isEqualTo(2);
    assertThat(printed.path("status").asText()).isEqualTo("COMPLETED");
    // Named as GET /v1/evaluations/{id} names them, as every other command's --json does.
    assertThat(printed.path("ndcgAt10").asDouble()).isBetween(0.0, 1.0);
    assertThat(printed.path("p95Ms").isNumber()).isTrue();
    assertThat(printed.path("answers").isMissingNode() || printed.path("answers").isNull())
        .isTrue();
  }

  @Test
  void model_version_evaluates_a_registered_version_that_does_not_serve() throws Exception {
    CoreServices core = RealEngram.core();
    RegisteredVersion champion =
        core.registry().bootstrap(COLLECTION, core.champion(), core.defaultBundle()).orElseThrow();
    RegisteredVersion dense =
        ModelsCommandIT.register(
            core,
            COLLECTION,
            "eval-dense",
            core.settings().retrieval().withMode(RetrievalSettings.Mode.DENSE),
            0.5,
            List.of());

    CliRunner.Result result =
        CliRunner.run(
            "--api",
            RealEngram.url(),
            "eval",
            beir.toString(),
            "--collection",
            COLLECTION,
            "--model-version",
            Integer.toString(dense.version()),
            "--json");

    assertThat(result.exitCode()).as(result.err()).isZero();
    JsonNode printed = IngestCommandIT.readOne(result.out(), JsonNode.class);
    String label = COLLECTION + "/v" + dense.version();
    assertThat(printed.path("modelVersion").asText()).isEqualTo(label);
    List<String> stored =
        core.jdbi()
            .withHandle(
                h ->
                    h.createQuery(
                            "SELECT model_version FROM eval_runs WHERE workflow_id = :id AND"
                                + " model_version_id = :version")
                        .bind("id", printed.path("workflowId").asText())
                        .bind("version", dense.id())
                        .mapTo(String.class)
                        .list());
    assertThat(stored).containsExactly(label);
    assertThat(core.registry().alias(COLLECTION, ModelAliases.CHAMPION))
        .hasValueSatisfying(v -> assertThat(v.version()).isEqualTo(champion.version()));
  }

  @Test
  void model_and_model_version_are_one_choice() {
    CliRunner.Result result =
        CliRunner.run(
            "--api",
            RealEngram.url(),
            "eval",
            beir.toString(),
            "--model",
            "v1",
            "--model-version",
            "1");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("give --model or --model-version, not both");
  }

  @Test
  void the_check_before_ingestion_refuses_a_version_the_collection_lacks() {
    CliRunner.Result missing = check(COLLECTION, "--model", "v99");
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err())
        .contains("collection " + COLLECTION + " has no model version 99")
        .contains("./engram models list --collection " + COLLECTION);

    // A version it has, and a collection its ingestion has yet to create, pass.
    assertThat(check(COLLECTION, "--model-version", "1").exitCode()).isZero();
    CliRunner.Result fresh = check("not-yet-ingested", "--model-version", "1");
    assertThat(fresh.exitCode()).as(fresh.err()).isZero();
    // What the launcher ingests next, and where.
    assertThat(fresh.out().strip())
        .isEqualTo(beir.resolve("corpus.jsonl").toAbsolutePath() + "\tnot-yet-ingested");
    CliRunner.Result nowhere =
        CliRunner.run(
            "--api", RealEngram.url(), "eval", beir.resolve("nope").toString(), "--check");
    assertThat(nowhere.exitCode()).isEqualTo(2);
    assertThat(nowhere.err()).contains("no such folder: " + beir.resolve("nope"));
  }

  /** {@code eval --check} of the tiny BEIR folder into {@code collection}, with {@code more}. */
  private CliRunner.Result check(String collection, String... more) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "--api", RealEngram.url(), "eval", beir.toString(), "--collection", collection));
    args.addAll(List.of(more));
    args.add("--check");
    return CliRunner.run(args.toArray(String[]::new));
  }

  @Test
  void a_workflow_that_fails_exits_with_one_and_its_reason() throws Exception {
    Path broken = tmp.resolve("broken");
    write(
        broken.resolve("queries.jsonl"),
        "{\"_id\":\"q1\",\"text\":\"why do coral reefs bleach\"}\n");
    write(broken.resolve("qrels/test.tsv"), "query-id\tcorpus-id\tscore\nq1\td1\tx\n");

    CliRunner.Result result =
        CliRunner.run(
            "--api", RealEngram.url(), "eval", broken.toString(), "--collection", COLLECTION);

    assertThat(result.exitCode()).as(result.err()).isEqualTo(1);
    assertThat(result.err())
        .contains("error: the evaluation workflow ended with status FAILED")
        .contains("score 'x' is not an integer");
    assertThat(result.out()).doesNotContain("eval ndcg@10=");
  }

  @Test
  void an_unknown_collection_is_a_usage_error_from_the_api() {
    CliRunner.Result result =
        CliRunner.run("--api", RealEngram.url(), "eval", beir.toString(), "--collection", "nope");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("error: Not Found: no collection 'nope'");
  }
}
