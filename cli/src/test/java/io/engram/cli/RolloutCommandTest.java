package io.engram.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import io.engram.cli.FakeApi.Response;
import io.engram.contract.Rollouts.Event;
import io.engram.contract.Rollouts.RolloutList;
import io.engram.contract.Rollouts.RolloutView;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@code rollout} against a stand-in API: what each subcommand sends and prints; the real API's
 * rollouts are in {@code RolloutApiIT}.
 */
class RolloutCommandTest {
  private static final String ID = "rollout-scifact-v2";

  private static RolloutView view(String status, String phase, int step, String decision) {
    Map<String, Object> check =
        Map.of(
            "verdict",
            "WAIT",
            "reason",
            "12 of 50 candidate queries in this step",
            "exposure",
            0.031,
            "total",
            Map.of(
                "champion",
                Map.of("arm", "champion", "queries", 380, "errors", 0, "empty", 1, "p95Ms", 31.5),
                "candidate",
                Map.of("arm", "candidate", "queries", 12, "errors", 0, "empty", 0, "p95Ms", 28.0)),
            "test",
            Map.of(
                "wins",
                7,
                "losses",
                2,
                "logLikelihoodRatio",
                0.8,
                "threshold",
                3.0,
                "verdict",
                "UNDECIDED"));
    return new RolloutView(
        ID,
        4L,
        "scifact",
        1,
        2,
        "manual",
        "api",
        null,
        status,
        phase,
        step,
        false,
        Map.of("shadow", 0.0, "candidate", 0.05, "interleaved", 0.1),
        decision,
        null,
        check,
        "2026-12-06T04:00:00Z",
        "2026-12-06T04:10:00Z",
        null,
        null,
        List.of(
            new Event(
                "phase",
                "canary",
                "canary step 1 of 3: candidate 5%, interleaved 10% of new conversations",
                "rollout",
                null,
                "2026-12-06T04:10:00Z")));
  }

  @Test
  void start_sends_the_version_and_the_changed_timings_and_prints_the_id() throws Exception {
    try (FakeApi api = new FakeApi()) {
      api.on("POST", "/v1/rollouts", r -> Response.json(202, RolloutViewsForTest.starting()));

      CliRunner.Result result =
          CliRunner.run(
              "--api",
              api.url(),
              "rollout",
              "start",
              "--collection",
              "scifact",
              "--version",
              "v2",
              "--steps",
              "0.1,0.5",
              "--step-bake",
              "30",
              "--shadow-min-queries",
              "5",
              "--step-min-queries",
              "8",
              "--reason",
              "retrained");

      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(result.out()).contains("started " + ID).contains("rollout status " + ID);
      JsonNode sent = api.requests("POST", "/v1/rollouts").get(0).json();
      assertThat(sent.path("collection").asText()).isEqualTo("scifact");
      assertThat(sent.path("version").asInt()).isEqualTo(2);
      assertThat(sent.path("reason").asText()).isEqualTo("retrained");
      assertThat(sent.path("plan").path("steps"))
          .extracting(JsonNode::asDouble)
          .containsExactly(0.1, 0.5);
      assertThat(sent.path("plan").path("stepBakeMs").asLong()).isEqualTo(30_000);
      assertThat(sent.path("plan").path("shadowMinQueries").asInt()).isEqualTo(5);
      assertThat(sent.path("plan").path("stepMinQueries").asInt()).isEqualTo(8);
      assertThat(sent.path("plan").has("shadowShare")).isFalse();
    }
  }

  @Test
  void status_shows_phase_figures_test_and_audit_and_json_is_the_api_document() throws Exception {
    try (FakeApi api = new FakeApi()) {
      api.on(
          "GET", "/v1/rollouts/" + ID, r -> Response.json(200, view("running", "canary", 1, null)));

      CliRunner.Result text = CliRunner.run("--api", api.url(), "rollout", "status", ID);
      CliRunner.Result json = CliRunner.run("--api", api.url(), "rollout", "status", ID, "--json");

      assertThat(text.exitCode()).as(text.err()).isZero();
      assertThat(text.out())
          .contains("scifact/v2 against v1 — running")
          .contains("phase canary step 1")
          .contains("candidate exposure: 3.1% of queries")
          .contains("7 wins, 2 losses")
          .contains("canary step 1 of 3");
      assertThat(EngramClient.JSON.readTree(json.out()).path("phase").asText()).isEqualTo("canary");
    }
  }

  @Test
  void status_without_an_id_lists_one_line_per_rollout() throws Exception {
    try (FakeApi api = new FakeApi()) {
      api.on(
          "GET",
          "/v1/rollouts",
          r ->
              Response.json(
                  200,
                  new RolloutList(
                      List.of(
                          view("running", "canary", 1, null),
                          view("rolled_back", "decided", 0, "latency: candidate p95 over")))));

      CliRunner.Result result = CliRunner.run("--api", api.url(), "rollout", "status");

      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(result.out().lines().toList())
          .hasSize(3)
          .anySatisfy(
              l -> assertThat(l).contains("running").contains("canary 1").contains("candidate 5%"))
          .anySatisfy(l -> assertThat(l).contains("rolled_back").contains("latency"));
    }
  }

  /** {@code base} as rollout {@code number} with another status, pause flag and events. */
  private static RolloutView as(
      RolloutView base,
      long number,
      String status,
      boolean paused,
      String decision,
      List<Event> events) {
    return new RolloutView(
        base.id(),
        number,
        base.collection(),
        base.champion(),
        base.candidate(),
        base.trigger(),
        base.actor(),
        base.reason(),
        status,
        base.phase(),
        base.step(),
        paused,
        base.shares(),
        decision,
        base.plan(),
        base.lastCheck(),
        base.startedAt(),
        base.phaseStartedAt(),
        base.endedAt(),
        base.retainUntil(),
        events);
  }

  @Test
  void the_list_numbers_rollouts_of_the_same_version_and_shows_an_undos_reason() throws Exception {
    RolloutView base = view("rolled_back", "decided", 0, null);
    RolloutView newer = as(base, 3, "rolled_back", false, "latency: candidate p95 over", null);
    RolloutView undone = as(base, 2, "undone", false, "approved: looks good", null);
    RolloutView undoneWithAudit =
        as(
            base,
            2,
            "undone",
            false,
            "approved: looks good",
            List.of(
                new Event(
                    "undo",
                    "decided",
                    "undone: scifact/v1 serves again; complaints from users",
                    "alice",
                    null,
                    "2026-12-06T05:00:00Z")));
    try (FakeApi api = new FakeApi()) {
      api.on(
              "GET",
              "/v1/rollouts",
              r -> Response.json(200, new RolloutList(List.of(newer, undone))))
          .on("GET", "/v1/rollouts/2", r -> Response.json(200, undoneWithAudit));

      CliRunner.Result result = CliRunner.run("--api", api.url(), "rollout", "status");

      assertThat(result.exitCode()).as(result.err()).isZero();
      List<String> lines = result.out().lines().toList();
      assertThat(lines).hasSize(3);
      assertThat(lines.get(0)).contains("#").contains("id").contains("status");
      assertThat(lines.get(1)).matches(" +3 " + ID + " +rolled_back .*latency.*");
      assertThat(lines.get(2))
          .matches(" +2 " + ID + " +undone .*")
          .contains("complaints from users")
          .doesNotContain("looks good");

      CliRunner.Result status = CliRunner.run("--api", api.url(), "rollout", "status", "2");
      assertThat(status.out()).contains("undo: undone: scifact/v1 serves again; complaints");
    }
  }

  @Test
  void pause_of_a_paused_rollout_and_resume_of_a_running_one_say_nothing_changed()
      throws Exception {
    RolloutView running = view("running", "canary", 1, null);
    RolloutView paused = as(running, 4, "running", true, null, running.events());
    AtomicInteger reads = new AtomicInteger();
    try (FakeApi api = new FakeApi()) {
      // Paused at the first read (before the repeated pause), running at the next ones.
      api.on(
              "GET",
              "/v1/rollouts/" + ID,
              r -> Response.json(200, reads.getAndIncrement() == 0 ? paused : running))
          .on("POST", "/v1/rollouts/" + ID + ":pause", r -> Response.json(200, paused))
          .on("POST", "/v1/rollouts/" + ID + ":resume", r -> Response.json(200, running));

      CliRunner.Result again = CliRunner.run("--api", api.url(), "rollout", "pause", ID);
      CliRunner.Result pause = CliRunner.run("--api", api.url(), "rollout", "pause", ID);
      CliRunner.Result resume = CliRunner.run("--api", api.url(), "rollout", "resume", ID);

      assertThat(again.exitCode()).as(again.err()).isZero();
      assertThat(again.out()).contains(ID + ": already paused; nothing changed");
      assertThat(pause.out()).contains(ID + ": paused").doesNotContain("already");
      assertThat(resume.out()).contains(ID + ": was not paused; nothing changed");
    }
  }

  @Test
  void watch_follows_until_the_decision() throws Exception {
    AtomicInteger polls = new AtomicInteger();
    try (FakeApi api = new FakeApi()) {
      api.on(
          "GET",
          "/v1/rollouts/" + ID,
          r ->
              Response.json(
                  200,
                  polls.incrementAndGet() < 2
                      ? view("running", "canary", 1, null)
                      : view("promoted", "decided", 0, "the candidate wins")));

      CliRunner.Result result =
          CliRunner.run("--api", api.url(), "rollout", "status", ID, "--watch");

      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(result.out())
          .contains("canary 1")
          .contains("promoted")
          .contains("decision: the candidate wins");
    }
  }

  @Test
  void watch_rides_out_an_api_that_is_briefly_unavailable() throws Exception {
    AtomicInteger polls = new AtomicInteger();
    try (FakeApi api = new FakeApi()) {
      api.on(
          "GET",
          "/v1/rollouts/" + ID,
          r ->
              switch (polls.incrementAndGet()) {
                case 1 -> Response.json(200, view("running", "canary", 1, null));
                case 2 -> Response.problem(503, "Service Unavailable", "the database is down");
                default -> Response.json(200, view("promoted", "decided", 0, "the candidate wins"));
              });

      CliRunner.Result result =
          CliRunner.run("--api", api.url(), "rollout", "status", ID, "--watch");

      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(result.err()).contains("warning:").contains("retrying");
      assertThat(result.out()).contains("decision: the candidate wins");
    }
  }

  @Test
  void watch_with_json_prints_one_document_on_stdout_and_the_live_lines_on_stderr()
      throws Exception {
    try (FakeApi api = new FakeApi()) {
      api.on("POST", "/v1/rollouts", r -> Response.json(202, RolloutViewsForTest.starting()))
          .on(
              "GET",
              "/v1/rollouts/" + ID,
              r -> Response.json(200, view("promoted", "decided", 0, "the candidate wins")));

      CliRunner.Result status =
          CliRunner.run("--api", api.url(), "rollout", "status", ID, "--watch", "--json");
      CliRunner.Result start =
          CliRunner.run(
              "--api",
              api.url(),
              "rollout",
              "start",
              "--collection",
              "scifact",
              "--version",
              "2",
              "--watch",
              "--json");

      for (CliRunner.Result result : List.of(status, start)) {
        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode printed =
            EngramClient.JSON
                .readerFor(JsonNode.class)
                .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .readValue(result.out());
        assertThat(printed.path("status").asText()).isEqualTo("promoted");
        assertThat(result.err()).contains(ID).contains("promoted").contains("the candidate wins");
      }
      assertThat(start.err()).contains("started " + ID + "; following it");
    }
  }

  @Test
  void abort_and_undo_post_their_action_with_the_reason_and_a_409_is_reported() throws Exception {
    try (FakeApi api = new FakeApi()) {
      api.on(
          "POST",
          "/v1/rollouts/" + ID + ":abort",
          r -> Response.json(200, view("running", "canary", 1, null)));
      api.on(
          "POST",
          "/v1/rollouts/" + ID + ":undo",
          r ->
              Response.problem(
                  409,
                  "Conflict",
                  "rollout " + ID + " is rolled_back; only a promoted rollout can be undone"));

      CliRunner.Result abort =
          CliRunner.run("--api", api.url(), "rollout", "abort", ID, "--reason", "complaints");
      CliRunner.Result undo = CliRunner.run("--api", api.url(), "rollout", "undo", ID);

      assertThat(abort.exitCode()).as(abort.err()).isZero();
      assertThat(abort.out()).contains(ID + ": abort sent");
      assertThat(api.requests("POST", ".*:abort").get(0).json().path("reason").asText())
          .isEqualTo("complaints");
      assertThat(undo.exitCode()).isNotZero();
      assertThat(undo.err()).contains("only a promoted rollout can be undone");
    }
  }

  @Test
  void help_names_every_subcommand() {
    CliRunner.Result result = CliRunner.run("rollout", "--help");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out())
        .contains("start", "status", "approve", "abort", "pause", "resume", "undo");
  }

  /** What {@code POST /v1/rollouts} answers. */
  static final class RolloutViewsForTest {
    static RolloutView starting() {
      return new RolloutView(
          ID,
          null,
          "scifact",
          null,
          2,
          null,
          null,
          null,
          "starting",
          null,
          0,
          false,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null);
    }
  }
}
