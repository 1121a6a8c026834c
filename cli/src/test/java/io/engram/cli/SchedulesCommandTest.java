package io.engram.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.cli.FakeApi.Response;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class SchedulesCommandTest {

  static final String SCHEDULES =
      "{\"schedules\":["
          + "{\"id\":\"engram-promotion\",\"spec\":\"0 3 * * *\",\"workflowType\":\"PromotionWorkflow\","
          + "\"jobType\":\"promotion\",\"paused\":true,\"note\":\"checking thresholds\","
          + "\"nextRun\":null,\"lastRun\":null},"
          + "{\"id\":\"engram-salience\",\"spec\":\"*/5 * * * *\",\"workflowType\":\"MaintenanceWorkflow\","
          + "\"jobType\":\"salience\",\"paused\":false,\"nextRun\":\"2026-11-22T21:05:00Z\"}]}";

  @Test
  void lists_id_spec_next_run_and_paused_as_a_table() throws IOException {
    try (FakeApi api = new FakeApi()) {
      api.on("GET", "/v1/schedules", r -> Response.json(200, SCHEDULES));

      CliRunner.Result result = CliRunner.run("--api", api.url(), "schedules");

      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(result.out())
          .isEqualTo(
              """
              ID                SPEC         NEXT RUN              PAUSED
              engram-promotion  0 3 * * *    -                     yes (checking thresholds)
              engram-salience   */5 * * * *  2026-11-22T21:05:00Z  no
              """);
    }
  }

  @Test
  void json_prints_the_api_document() throws IOException {
    try (FakeApi api = new FakeApi()) {
      api.on("GET", "/v1/schedules", r -> Response.json(200, SCHEDULES));

      CliRunner.Result result = CliRunner.run("schedules", "--json", "--api", api.url());

      assertThat(result.exitCode()).isZero();
      assertThat(EngramClient.JSON.readTree(result.out()))
          .isEqualTo(EngramClient.JSON.readTree(SCHEDULES));
    }
  }

  @Test
  void an_unreachable_temporal_is_a_server_failure() throws IOException {
    try (FakeApi api = new FakeApi()) {
      api.on(
          "GET",
          "/v1/schedules",
          r -> Response.problem(503, "Service Unavailable", "cannot list schedules"));

      CliRunner.Result result = CliRunner.run("--api", api.url(), "schedules");

      assertThat(result.exitCode()).isEqualTo(1);
      assertThat(result.err()).contains("Service Unavailable: cannot list schedules");
    }
  }

  @Test
  void help_mentions_json() {
    CliRunner.Result result = CliRunner.run("schedules", "--help");
    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).startsWith("Usage: engram schedules").contains("--json", "--api=URL");
  }
}
