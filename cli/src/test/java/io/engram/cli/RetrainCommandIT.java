package io.engram.cli;

import static io.engram.cli.IngestCommandIT.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.engram.testing.EngramServices;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./engram retrain --json} against a real API and worker: the document it prints and its
 * exit code for a run that decides not to retrain, one whose labelled set is refused, and one whose
 * workflow fails. A search needs a labelled set of at least fifty judged queries; the command's
 * handling of searched, staged and rejected runs is {@link RetrainCommandTest}'s.
 */
@EngramServices
@ExtendWith(RealEngram.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RetrainCommandIT {
  private static final String COLLECTION = "retrain-it";

  private Path beir;

  @BeforeAll
  void ingestTheCorpus(@TempDir Path home) throws Exception {
    beir = home.resolve("TinyBeir");
    write(
        beir.resolve("corpus.jsonl"),
        """
        {"_id":"d1","title":"Coral reefs","text":"Coral reefs bleach when sea temperatures rise."}
        {"_id":"d2","title":"Glaciers","text":"Glaciers in Greenland are melting faster every decade."}
        """);
    write(
        beir.resolve("queries.jsonl"),
        """
        {"_id":"q1","text":"why do coral reefs bleach"}
        {"_id":"q2","text":"are the glaciers of greenland melting"}
        """);
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
  void a_collection_without_a_labelled_set_is_a_no_op_that_exits_zero() throws Exception {
    CliRunner.Result result =
        CliRunner.run("--api", RealEngram.url(), "retrain", "--collection", COLLECTION, "--json");

    assertThat(result.exitCode()).as(result.err()).isZero();
    JsonNode printed = IngestCommandIT.readOne(result.out(), JsonNode.class);
    assertThat(printed.path("reason").asText()).isEqualTo("no_labelled_set");
    assertThat(printed.path("outcome").asText()).isEqualTo("no_op");
    assertThat(printed.has("version")).isTrue();
    assertThat(printed.path("version").isNull()).isTrue();
    assertThat(printed.path("gates").isArray()).isTrue();
    assertThat(printed.path("gates")).isEmpty();
    assertThat(printed.path("workflowId").asText()).isEqualTo("retrain-" + COLLECTION);
    assertThat(printed.path("studyId").isNull()).isTrue();
  }

  @Test
  void a_labelled_set_too_small_to_train_on_is_a_failed_outcome_that_exits_one() throws Exception {
    CliRunner.Result result =
        CliRunner.run(
            "--api",
            RealEngram.url(),
            "retrain",
            "--eval",
            beir.toString(),
            "--collection",
            COLLECTION,
            "--force",
            "--json");

    assertThat(result.exitCode()).as(result.err()).isEqualTo(1);
    JsonNode printed = IngestCommandIT.readOne(result.out(), JsonNode.class);
    assertThat(printed.path("status").asText()).isEqualTo("COMPLETED");
    assertThat(printed.path("reason").asText()).isEqualTo("force");
    assertThat(printed.path("outcome").asText()).isEqualTo("failed");
    assertThat(printed.path("version").isNull()).isTrue();
    assertThat(printed.path("gates")).isEmpty();
    assertThat(printed.path("failure").asText()).contains("the labelled set is too small");
    assertThat(result.err())
        .contains("error: the retraining failed: the labelled set is too small");
  }

  @Test
  void a_forced_run_with_nothing_to_learn_from_fails_and_says_what_to_give() throws Exception {
    CliRunner.Result result =
        CliRunner.run(
            "--api", RealEngram.url(), "retrain", "--collection", COLLECTION, "--force", "--json");

    assertThat(result.exitCode()).as(result.err()).isEqualTo(1);
    JsonNode printed = IngestCommandIT.readOne(result.out(), JsonNode.class);
    assertThat(printed.path("status").asText()).isEqualTo("FAILED");
    assertThat(printed.path("outcome").asText()).isEqualTo("failed");
    assertThat(printed.path("version").isNull()).isTrue();
    assertThat(printed.path("failure").asText())
        .contains("has no labelled set to train on: give one with ./engram retrain --eval DIR");
  }

  @Test
  void pinned_parameters_ask_for_a_run_without_force() throws Exception {
    // Not a no-op: the pinned configuration is to be trained, so the run goes on to find it has
    // nothing to learn from, as a forced one does.
    CliRunner.Result result =
        CliRunner.run(
            "--api",
            RealEngram.url(),
            "retrain",
            "--collection",
            COLLECTION,
            "--params",
            "mode=hybrid",
            "--json");

    assertThat(result.exitCode()).as(result.err()).isEqualTo(1);
    JsonNode printed = IngestCommandIT.readOne(result.out(), JsonNode.class);
    assertThat(printed.path("outcome").asText()).isEqualTo("failed");
    assertThat(printed.path("failure").asText()).contains("has no labelled set to train on");
  }

  @Test
  void an_unknown_collection_is_a_usage_error_from_the_api() {
    CliRunner.Result result =
        CliRunner.run("--api", RealEngram.url(), "retrain", "--collection", "nope", "--json");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("error: Not Found: no collection 'nope'");
    assertThat(result.out()).isEmpty();
  }
}
