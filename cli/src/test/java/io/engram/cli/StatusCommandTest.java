package io.engram.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.cli.FakeApi.Response;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class StatusCommandTest {

  @Test
  void printsEachComponentAndItsStatus() throws IOException {
    try (FakeApi api = new FakeApi()) {
      api.on(
          "GET",
          "/health",
          r ->
              Response.json(
                  200,
                  "{\"status\":\"UP\",\"components\":{\"db\":{\"status\":\"UP\"},"
                      + "\"temporal\":{\"status\":\"UP\",\"details\":{\"namespace\":\"default\"}}}}"));

      CliRunner.Result result = CliRunner.run("--api", api.url(), "status");

      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(result.out())
          .isEqualTo(
              "Engram API at " + api.url() + ": UP\n" + "  db        UP\n" + "  temporal  UP\n");
    }
  }

  @Test
  void aDownComponentIsShownWithItsErrorAndExitsOne() throws IOException {
    try (FakeApi api = new FakeApi()) {
      api.on(
          "GET",
          "/health",
          r ->
              Response.json(
                  503,
                  "{\"status\":\"DOWN\",\"details\":{\"db\":\"UP\","
                      + "\"temporal\":{\"status\":\"DOWN\",\"details\":{\"error\":\"connection refused\"}}}}"));

      CliRunner.Result result = CliRunner.run("--api", api.url(), "status");

      assertThat(result.exitCode()).isEqualTo(1);
      assertThat(result.out())
          .contains(": DOWN", "  db        UP", "  temporal  DOWN  (connection refused)");
      assertThat(result.err()).isEmpty();
    }
  }

  @Test
  void jsonPrintsTheHealthDocument() throws IOException {
    try (FakeApi api = new FakeApi()) {
      String health = "{\"status\":\"UP\",\"components\":{\"db\":{\"status\":\"UP\"}}}";
      api.on("GET", "/health", r -> Response.json(200, health));

      CliRunner.Result result = CliRunner.run("status", "--json", "--api", api.url());

      assertThat(result.exitCode()).isZero();
      assertThat(EngramClient.JSON.readTree(result.out()))
          .isEqualTo(EngramClient.JSON.readTree(health));
    }
  }
}
