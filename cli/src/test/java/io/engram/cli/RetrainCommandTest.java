package io.engram.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.engram.cli.FakeApi.Response;
import io.engram.contract.Blobs.MissingBlobs;
import io.engram.contract.Blobs.StoredBlob;
import io.engram.contract.Collections.CollectionView;
import io.engram.contract.Retrainings.Gate;
import io.engram.contract.Retrainings.Report;
import io.engram.contract.Retrainings.RetrainingStarted;
import io.engram.contract.Retrainings.RetrainingStatus;
import io.engram.contract.Retrainings.StudyView;
import io.engram.contract.Retrainings.TrialView;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code retrain} against a scripted API: what it sends, what {@code --json} prints for each
 * outcome and the exit code of each, the chart, and what it refuses before contacting the API. The
 * command against a real API and worker is {@link RetrainCommandIT}.
 */
class RetrainCommandTest {
  /** Nothing listens there: a command that contacted the API would exit 3, not 2. */
  private static final String NO_API = "http://127.0.0.1:9";

  private static final String WORKFLOW = "retrain-scifact";
  private static final List<Gate> GATES =
      List.of(
          new Gate("floor", true, "ndcg@10 0.7512 >= 0.7000"),
          new Gate("not_worse", false, "scifact/train/held-out: 0.7412 < champion 0.7450"));

  @TempDir Path tmp;

  private Path beir;

  @BeforeEach
  void writeBeirFolder() throws IOException {
    beir = Files.createDirectories(tmp.resolve("SciFact"));
    Files.writeString(beir.resolve("queries.jsonl"), "{\"_id\":\"1\",\"text\":\"aspirin?\"}\n");
    Files.createDirectories(beir.resolve("qrels"));
    Files.writeString(beir.resolve("qrels/train.tsv"), "query-id\tcorpus-id\tscore\n1\td1\t1\n");
  }

  @Test
  void a_staged_run_uploads_the_labelled_set_follows_it_and_prints_one_json_document()
      throws Exception {
    try (FakeApi api = scripted(ended("staged", 3, GATES, null), false)) {
      Path chart = tmp.resolve("out/study.svg");

      CliRunner.Result result =
          CliRunner.run(
              "--api",
              api.url(),
              "retrain",
              "--eval",
              beir.toString(),
              "--force",
              "--params",
              "mode=hybrid,denseWeight=0.6",
              "--chart",
              chart.toString(),
              "--json");

      assertThat(result.exitCode()).as(result.err()).isZero();
      JsonNode sent = api.requests("POST", "/v1/retrainings").get(0).json();
      assertThat(sent.path("collection").asText()).isEqualTo("scifact");
      assertThat(sent.path("force").asBoolean()).isTrue();
      assertThat(sent.path("labelled").path("dataset").asText()).isEqualTo("scifact");
      assertThat(sent.path("labelled").path("split").asText()).isEqualTo("train");
      assertThat(sent.path("labelled").path("queriesBlob").asText()).hasSize(64);
      assertThat(sent.path("params").toString())
          .isEqualTo("{\"mode\":\"hybrid\",\"denseWeight\":\"0.6\"}");
      assertThat(api.requests("PUT", "/v1/blobs/.*")).hasSize(2);

      JsonNode printed = IngestCommandIT.readOne(result.out(), JsonNode.class);
      assertThat(printed.path("reason").asText()).isEqualTo("force");
      assertThat(printed.path("outcome").asText()).isEqualTo("staged");
      assertThat(printed.path("version").isInt()).isTrue();
      assertThat(printed.path("version").asInt()).isEqualTo(3);
      assertThat(printed.path("gates")).hasSize(2);
      JsonNode gate = printed.path("gates").get(1);
      assertThat(gate.path("name").asText()).isEqualTo("not_worse");
      assertThat(gate.path("passed").isBoolean()).isTrue();
      assertThat(gate.path("passed").asBoolean()).isFalse();
      assertThat(gate.path("reason").asText()).contains("champion 0.7450");
      assertThat(printed.path("studyId").asLong()).isEqualTo(12);
      assertThat(printed.path("chart").asText()).isEqualTo(chart.toAbsolutePath().toString());
      assertThat(Files.readString(chart)).contains("<svg", "class=\"pruned\"");
      // The live line went to stderr, with the trials and the best value so far.
      assertThat(result.err()).contains("searching (force) — trials 4 done, 1 pruned, 0 failed");
    }
  }

  @Test
  void rejected_and_no_op_runs_exit_zero_and_a_no_op_has_no_version() throws Exception {
    try (FakeApi api = scripted(ended("rejected", 4, GATES, null), false)) {
      CliRunner.Result rejected =
          CliRunner.run(
              "--api",
              api.url(),
              "retrain",
              "--collection",
              "scifact",
              "--chart",
              tmp.resolve("r.svg").toString(),
              "--json");

      assertThat(rejected.exitCode()).as(rejected.err()).isZero();
      assertThat(IngestCommandIT.readOne(rejected.out(), JsonNode.class).path("outcome").asText())
          .isEqualTo("rejected");
    }
    try (FakeApi api = scripted(noOp("model_still_valid"), false)) {
      CliRunner.Result result =
          CliRunner.run("--api", api.url(), "retrain", "--collection", "scifact", "--json");

      assertThat(result.exitCode()).as(result.err()).isZero();
      JsonNode printed = IngestCommandIT.readOne(result.out(), JsonNode.class);
      assertThat(printed.path("outcome").asText()).isEqualTo("no_op");
      assertThat(printed.path("reason").asText()).isEqualTo("model_still_valid");
      assertThat(printed.path("version").isNull()).isTrue();
      assertThat(printed.path("gates").isArray()).isTrue();
      assertThat(printed.path("gates")).isEmpty();
      assertThat(printed.path("chart").isNull()).isTrue();
      assertThat(api.requests("GET", "/v1/studies/.*")).isEmpty();
    }
  }

  @Test
  void a_run_that_decided_not_to_retrain_says_what_to_do_next() throws Exception {
    for (String[] reasonAndAdvice :
        List.of(
            new String[] {"model_still_valid", "--force retrains anyway"},
            new String[] {"no_labelled_set", "--eval DIR (a BEIR folder"})) {
      try (FakeApi api = scripted(noOp(reasonAndAdvice[0]), false)) {
        CliRunner.Result result =
            CliRunner.run("--api", api.url(), "retrain", "--collection", "scifact");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out())
            .containsPattern("(?m)^decided +" + reasonAndAdvice[0] + "$")
            .containsPattern("(?m)^next +.*" + Pattern.quote(reasonAndAdvice[1]));
      }
    }
    try (FakeApi api = scripted(ended("staged", 3, GATES, null), false)) {
      CliRunner.Result staged =
          CliRunner.run(
              "--api",
              api.url(),
              "retrain",
              "--collection",
              "scifact",
              "--chart",
              tmp.resolve("s.svg").toString());

      assertThat(staged.exitCode()).as(staged.err()).isZero();
      assertThat(staged.out()).doesNotContainPattern("(?m)^next ");
    }
  }

  @Test
  void status_reports_the_latest_retraining_without_starting_one() throws Exception {
    try (FakeApi api = scripted(ended("staged", 3, GATES, null), false)) {
      CliRunner.Result followed =
          CliRunner.run(
              "--api",
              api.url(),
              "retrain",
              "--collection",
              "scifact",
              "--status",
              "--chart",
              tmp.resolve("st.svg").toString(),
              "--json");
      CliRunner.Result now =
          CliRunner.run(
              "--api", api.url(), "retrain", "--collection", "scifact", "--status", "--no-wait");

      assertThat(followed.exitCode()).as(followed.err()).isZero();
      JsonNode printed = IngestCommandIT.readOne(followed.out(), JsonNode.class);
      assertThat(printed.path("outcome").asText()).isEqualTo("staged");
      assertThat(printed.path("version").asInt()).isEqualTo(3);
      assertThat(tmp.resolve("st.svg")).exists();
      assertThat(now.exitCode()).as(now.err()).isZero();
      assertThat(now.out()).containsPattern("(?m)^outcome +staged$");
      assertThat(api.requests("POST", "/v1/retrainings")).isEmpty();
      assertThat(api.requests("GET", "/v1/retrainings/" + WORKFLOW)).hasSize(3);
    }
    try (FakeApi api = scripted(ended("staged", 3, GATES, null), false)) {
      CliRunner.Result followed =
          CliRunner.run("--api", api.url(), "retrain", "--collection", "scifact", "--status");

      assertThat(followed.exitCode()).as(followed.err()).isZero();
      assertThat(followed.err()).doesNotContain("study chart:");
      assertThat(Path.of("retrain-scifact-study-12.svg")).doesNotExist();
    }
    CliRunner.Result refused =
        CliRunner.run("--api", NO_API, "retrain", "--collection", "scifact", "--status", "--force");
    assertThat(refused.exitCode()).isEqualTo(2);
    assertThat(refused.err()).contains("--status starts nothing");
  }

  @Test
  void status_no_wait_of_a_running_retraining_shows_its_phase_not_a_null_outcome()
      throws Exception {
    // The scripted API answers "searching" (RUNNING, no outcome yet) to the first poll.
    try (FakeApi api = scripted(ended("staged", 3, GATES, null), false)) {
      CliRunner.Result now =
          CliRunner.run(
              "--api", api.url(), "retrain", "--collection", "scifact", "--status", "--no-wait");

      assertThat(now.exitCode()).as(now.err()).isZero();
      assertThat(now.out())
          .containsPattern("(?m)^phase +searching \\(RUNNING\\)$")
          .contains("retrain status=RUNNING phase=searching reason=force")
          .doesNotContain("null")
          .doesNotContainPattern("(?m)^outcome ");
    }
  }

  @Test
  void status_of_a_collection_never_retrained_says_none_yet_and_how_to_start_one_exit_one()
      throws Exception {
    try (FakeApi api = new FakeApi()) {
      api.on(
          "GET",
          "/v1/retrainings/.*",
          r -> Response.problem(404, "Not Found", "no retraining workflow 'retrain-qa4ing'"));
      api.on(
          "GET",
          "/v1/collections/qa4ing",
          r -> Response.json(200, new CollectionView("qa4ing", 3, 0, 0)));
      for (boolean noWait : new boolean[] {true, false}) {
        List<String> args =
            new ArrayList<>(
                List.of("--api", api.url(), "retrain", "--collection", "qa4ing", "--status"));
        if (noWait) {
          args.add("--no-wait");
        }
        CliRunner.Result none = CliRunner.run(args.toArray(String[]::new));

        assertThat(none.exitCode()).as(none.err()).isEqualTo(1);
        assertThat(none.err())
            .contains("no retraining of qa4ing yet")
            .contains("./engram retrain --collection qa4ing")
            .doesNotContain("Not Found");
      }
    }
  }

  @Test
  void status_of_a_collection_that_does_not_exist_says_so_not_how_to_retrain_it() throws Exception {
    try (FakeApi api = new FakeApi()) {
      api.on(
          "GET",
          "/v1/retrainings/.*",
          r -> Response.problem(404, "Not Found", "no retraining workflow 'retrain-nosuch'"));
      api.on(
          "GET",
          "/v1/collections/nosuch",
          r -> Response.problem(404, "Not Found", "no collection 'nosuch'"));

      CliRunner.Result none =
          CliRunner.run("--api", api.url(), "retrain", "--collection", "nosuch", "--status");

      assertThat(none.exitCode()).as(none.err()).isEqualTo(1);
      assertThat(none.err())
          .contains("no collection nosuch")
          .contains("./engram collections list")
          .doesNotContain("start one with");
    }
  }

  @Test
  void a_failed_outcome_and_a_failed_workflow_exit_one_after_printing_the_document()
      throws Exception {
    RetrainingStatus failedOutcome =
        new RetrainingStatus(
            WORKFLOW,
            "run-1",
            "COMPLETED",
            "failed",
            "force",
            "failed",
            null,
            List.of(),
            "the labelled set has 2 judged queries in its fitting part; at least 40 are needed",
            0,
            0,
            0,
            null,
            null,
            null);
    try (FakeApi api = scripted(failedOutcome, false)) {
      CliRunner.Result result =
          CliRunner.run("--api", api.url(), "retrain", "--collection", "scifact", "--json");

      assertThat(result.exitCode()).isEqualTo(1);
      JsonNode printed = IngestCommandIT.readOne(result.out(), JsonNode.class);
      assertThat(printed.path("outcome").asText()).isEqualTo("failed");
      assertThat(printed.path("failure").asText()).contains("at least 40");
      assertThat(result.err()).contains("error: the retraining failed: the labelled set has 2");
    }
    RetrainingStatus failedWorkflow =
        new RetrainingStatus(
            WORKFLOW,
            "run-1",
            "FAILED",
            "failed",
            null,
            "failed",
            null,
            List.of(),
            "collection 'scifact' has no labelled set to train on",
            0,
            0,
            0,
            null,
            null,
            null);
    try (FakeApi api = scripted(failedWorkflow, false)) {
      CliRunner.Result result =
          CliRunner.run("--api", api.url(), "retrain", "--collection", "scifact");

      assertThat(result.exitCode()).isEqualTo(1);
      assertThat(result.out()).contains("outcome      failed", "failure      collection 'scifact'");
      assertThat(result.err()).contains("error: the retraining failed: collection 'scifact'");
    }
  }

  @Test
  void the_table_shows_each_phase_and_each_gate_with_its_mark() throws Exception {
    try (FakeApi api = scripted(ended("rejected", 4, GATES, null), true)) {
      Path chart = tmp.resolve("t.svg");

      CliRunner.Result result =
          CliRunner.run(
              "--api",
              api.url(),
              "retrain",
              "--collection",
              "scifact",
              "--chart",
              chart.toString());

      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(result.err())
          .contains("note: a retraining of scifact was already running; following it")
          .contains("study chart: " + chart.toAbsolutePath());
      assertThat(result.out().lines())
          .containsSubsequence(
              "collection   scifact",
              "workflow     retrain-scifact (COMPLETED)",
              "decided      force",
              "searched     study 12 (tpe, complete: patience), 4 trials: 1 pruned, 0 failed,"
                  + " best 0.7512",
              "registered   v4",
              "gates        1 of 2 passed",
              "  ✓ floor      ndcg@10 0.7512 >= 0.7000",
              "  ✗ not_worse  scifact/train/held-out: 0.7412 < champion 0.7450",
              "outcome      rejected",
              "chart        " + chart.toAbsolutePath(),
              "retrain outcome=rejected version=4 reason=force");
    }
  }

  @Test
  void no_wait_prints_the_workflow_and_returns() throws Exception {
    try (FakeApi api = scripted(ended("staged", 3, GATES, null), false)) {
      CliRunner.Result result =
          CliRunner.run(
              "--api", api.url(), "retrain", "--collection", "scifact", "--no-wait", "--json");

      assertThat(result.exitCode()).as(result.err()).isZero();
      JsonNode printed = IngestCommandIT.readOne(result.out(), JsonNode.class);
      assertThat(printed.path("workflowId").asText()).isEqualTo(WORKFLOW);
      assertThat(printed.path("attached").asBoolean()).isFalse();
      assertThat(api.requests("GET", "/v1/retrainings/.*")).isEmpty();
    }
  }

  @Test
  void bad_options_and_missing_files_are_refused_before_contacting_the_api() {
    assertUsage(List.of("--params", "denseWeight"), "'denseWeight' has no '='");
    assertUsage(List.of("--params", "l2=1,l2=2"), "names 'l2' twice");
    assertUsage(List.of("--split", "train"), "--split chooses the qrels of --eval DIR");
    assertUsage(
        List.of("--eval", beir.toString(), "--split", "validation"),
        "--split must be one of test, train, dev");
    assertUsage(
        List.of("--eval", beir.toString(), "--split", "test"),
        "need queries.jsonl and qrels/test.tsv in " + beir);
    assertUsage(List.of("--no-wait", "--chart", "x.svg"), "--chart needs the run to end");
  }

  @Test
  void help_describes_every_option_and_the_exit_codes() {
    CliRunner.Result result = CliRunner.run("retrain", "--help");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out())
        .contains(
            "--collection=NAME",
            "--eval=DIR",
            "--split=SPLIT",
            "--force",
            "--params=NAME=VALUE[,NAME=VALUE...]",
            "--chart=FILE",
            "--no-wait",
            "--json",
            "denseWeight",
            "queries.jsonl",
            "0 when the run ended no_op, staged or rejected; 1 when it failed");
  }

  private void assertUsage(List<String> options, String message) {
    List<String> args = new ArrayList<>(List.of("--api", NO_API, "retrain"));
    args.addAll(options);

    CliRunner.Result result = CliRunner.run(args.toArray(String[]::new));

    assertThat(result.exitCode()).as(options + ": " + result.err()).isEqualTo(2);
    assertThat(result.err()).as(options.toString()).contains(message);
    assertThat(result.out()).isEmpty();
  }

  /** A run that decided, for {@code reason}, not to retrain. */
  private static RetrainingStatus noOp(String reason) {
    return new RetrainingStatus(
        WORKFLOW,
        "run-1",
        "COMPLETED",
        "done",
        reason,
        "no_op",
        null,
        List.of(),
        null,
        0,
        0,
        0,
        null,
        null,
        null);
  }

  /** A run that ended as {@code outcome}, after a search of four trials. */
  private static RetrainingStatus ended(
      String outcome, Integer version, List<Gate> gates, String failure) {
    return new RetrainingStatus(
        WORKFLOW,
        "run-1",
        "COMPLETED",
        "done",
        "force",
        outcome,
        version,
        gates,
        failure,
        4,
        1,
        0,
        0.7512,
        12L,
        null);
  }

  /**
   * An API that accepts the request, reports the run as searching once and then as {@code end}, and
   * serves study 12.
   */
  private static FakeApi scripted(RetrainingStatus end, boolean attached) throws IOException {
    RetrainingStatus searching =
        new RetrainingStatus(
            WORKFLOW,
            "run-1",
            "RUNNING",
            "searching",
            "force",
            null,
            null,
            List.of(),
            null,
            4,
            1,
            0,
            0.7512,
            12L,
            null);
    AtomicInteger polls = new AtomicInteger();
    StudyView study =
        new StudyView(
            12,
            "scifact",
            "tpe",
            "complete",
            "patience",
            "ndcg@10 (fit/validation)",
            "maximize",
            2,
            List.of(
                new TrialView(0, "complete", 0.70, 2.0, Map.of(), List.of(new Report(1, 0.7))),
                new TrialView(1, "pruned", null, 0.5, Map.of(), List.of(new Report(1, 0.5))),
                new TrialView(2, "complete", 0.7512, 2.0, Map.of(), List.of()),
                new TrialView(3, "complete", 0.72, 2.0, Map.of(), List.of())));
    FakeApi api = new FakeApi();
    api.on("POST", "/v1/blobs/missing", r -> missingAll(r))
        .on(
            "PUT",
            "/v1/blobs/.*",
            r ->
                Response.json(
                    201,
                    new StoredBlob(r.path().substring("/v1/blobs/".length()), r.body().length)))
        .on(
            "POST",
            "/v1/retrainings",
            r -> Response.json(202, new RetrainingStarted(WORKFLOW, "run-1", attached)))
        .on(
            "GET",
            "/v1/retrainings/" + WORKFLOW,
            r -> Response.json(200, polls.getAndIncrement() == 0 ? searching : end))
        .on("GET", "/v1/studies/12", r -> Response.json(200, study));
    return api;
  }

  private static Response missingAll(FakeApi.Request r) {
    List<String> all = new ArrayList<>();
    r.json().get("hashes").forEach(h -> all.add(h.asText()));
    return Response.json(200, new MissingBlobs(all));
  }
}
