package io.engram.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.cli.FakeApi.Response;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class MemoryCommandTest {

  private static final String STATS =
      "{\"working\":{\"openSessions\":2,\"turns\":14},"
          + "\"episodic\":{\"active\":9,\"superseded\":1},"
          + "\"semantic\":{\"facts\":3},\"pendingCitations\":4,"
          + "\"days\":[{\"day\":\"2026-11-21\",\"distilled\":5,\"merged\":1,\"superseded\":1,"
          + "\"promoted\":0,\"expired\":2},"
          + "{\"day\":\"2026-11-22\",\"distilled\":4,\"merged\":0,\"superseded\":0,"
          + "\"promoted\":3,\"expired\":0}],"
          + "\"schedules\":[{\"id\":\"engram-promotion\",\"spec\":\"0 3 * * *\","
          + "\"paused\":false,\"nextRun\":\"2026-11-23T03:00:00Z\"}]}";

  @Test
  void stats_shows_tiers_days_and_schedules() throws IOException {
    try (FakeApi api = new FakeApi()) {
      api.on("GET", "/v1/memory/stats", r -> Response.json(200, STATS));

      CliRunner.Result result = CliRunner.run("--api", api.url(), "memory", "stats", "--days", "2");

      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(result.out())
          .contains(
              "  working    2 open sessions, 14 turns",
              "  episodic   9 active facts, 1 superseded",
              "  semantic   3 facts",
              "  citations  4 waiting",
              "  2026-11-21           5       1           1         0        2",
              "  2026-11-22           4       0           0         3        0",
              "engram-promotion  0 3 * * *  2026-11-23T03:00:00Z  no");
      assertThat(api.requests("GET", "/v1/memory/stats")).hasSize(1);
    }
  }

  @Test
  void json_prints_the_api_document_and_days_reach_the_api() throws IOException {
    try (FakeApi api = new FakeApi()) {
      api.on("GET", "/v1/memory/stats", r -> Response.json(200, STATS));

      CliRunner.Result result = CliRunner.run("--api", api.url(), "memory", "stats", "--json");

      assertThat(result.exitCode()).isZero();
      assertThat(EngramClient.JSON.readTree(result.out()))
          .isEqualTo(EngramClient.JSON.readTree(STATS));
    }
  }

  @Test
  void missing_schedules_are_explained() throws IOException {
    try (FakeApi api = new FakeApi()) {
      api.on(
          "GET",
          "/v1/memory/stats",
          r ->
              Response.json(
                  200,
                  "{\"working\":{},\"episodic\":{},\"semantic\":{},\"days\":[],"
                      + "\"schedules\":null,\"schedulesError\":\"cannot list schedules\"}"));

      CliRunner.Result result = CliRunner.run("--api", api.url(), "memory", "stats");

      assertThat(result.out()).contains("unknown: cannot list schedules");
    }
  }

  @Test
  void bad_days_and_a_missing_subcommand_are_usage_errors() {
    assertThat(CliRunner.run("memory", "stats", "--days", "0").exitCode()).isEqualTo(2);
    CliRunner.Result bare = CliRunner.run("memory");
    assertThat(bare.exitCode()).isEqualTo(2);
    assertThat(bare.err()).contains("Usage: engram memory", "stats");
  }

  @Test
  void help_mentions_json() {
    CliRunner.Result result = CliRunner.run("memory", "stats", "--help");
    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).startsWith("Usage: engram memory stats").contains("--json", "--days");
  }

  @Test
  void promote_dry_run_reports_what_would_move() throws IOException {
    try (FakeApi api = new FakeApi()) {
      api.on(
          "POST",
          "/v1/memory/promotions",
          r ->
              Response.json(
                  200,
                  "{\"workflowId\":\"engram-promotion-dry-run-1\",\"result\":{\"dryRun\":true,"
                      + "\"phase\":\"done\",\"batches\":1,\"promoted\":2,"
                      + "\"episodicIds\":[4,9],\"semanticIds\":[]}}"));

      CliRunner.Result result = CliRunner.run("--api", api.url(), "memory", "promote", "--dry-run");

      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(result.out())
          .isEqualTo(
              "would promote 2 facts in 1 batch\n"
                  + "  episodic ids: 4, 9\n"
                  + "  run: engram-promotion-dry-run-1\n");
      assertThat(
              api.requests("POST", "/v1/memory/promotions")
                  .get(0)
                  .json()
                  .path("dryRun")
                  .asBoolean())
          .isTrue();
    }
  }

  @Test
  void a_promotion_still_running_points_at_the_temporal_ui() throws IOException {
    try (FakeApi api = new FakeApi()) {
      api.on(
          "POST",
          "/v1/memory/promotions",
          r ->
              Response.json(202, "{\"workflowId\":\"engram-promotion-manual-7\",\"result\":null}"));

      CliRunner.Result result = CliRunner.run("--api", api.url(), "memory", "promote");

      assertThat(result.exitCode()).isZero();
      assertThat(result.out())
          .contains("still running", "/namespaces/default/workflows/engram-promotion-manual-7");
      assertThat(
              api.requests("POST", "/v1/memory/promotions")
                  .get(0)
                  .json()
                  .path("dryRun")
                  .asBoolean())
          .isFalse();
    }
  }
}
