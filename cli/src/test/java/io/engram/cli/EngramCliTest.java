package io.engram.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.cli.FakeApi.Response;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EngramCliTest {

  @ParameterizedTest
  @ValueSource(strings = {"", "ingest", "ask", "status"})
  void everyCommandHasHelpThatMentionsJson(String subcommand) {
    String[] args =
        subcommand.isEmpty() ? new String[] {"--help"} : new String[] {subcommand, "--help"};

    CliRunner.Result result = CliRunner.run(args);

    assertThat(result.exitCode()).isZero();
    assertThat(result.out())
        .startsWith(("Usage: engram " + subcommand).strip())
        .contains("--json", "--api=URL", "--help");
    assertThat(result.err()).isEmpty();
  }

  @Test
  void noSubcommandPrintsUsageAndIsAUsageError() {
    CliRunner.Result result = CliRunner.run();

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("Usage: engram", "ingest", "ask", "status");
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "drift", "models"})
  void aCommandGroupWithoutItsSubcommandPrintsItsUsageAndIsAUsageError(String group) {
    CliRunner.Result result = CliRunner.run(group);

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).startsWith("Usage: engram " + group).contains("Commands:");
    assertThat(result.out()).isEmpty();
  }

  @Test
  void serverErrorExitsOne() throws IOException {
    try (FakeApi api = new FakeApi()) {
      api.on("GET", "/health", r -> new Response(500, "text/html", "<h1>Internal oops</h1>"));

      CliRunner.Result result = CliRunner.run("--api", api.url(), "status");

      assertThat(result.exitCode()).isEqualTo(1);
      assertThat(result.err()).contains("error: HTTP 500: <h1>Internal oops</h1>");
      assertThat(result.err()).doesNotContain("at io.engram");
    }
  }

  @Test
  void unreachableApiExitsThreeWithAHint() throws IOException {
    String url = "http://127.0.0.1:" + freePort();

    CliRunner.Result result = CliRunner.run("--api", url, "ask", "anything");

    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.err().strip())
        .isEqualTo(
            "error: cannot reach the Engram API at "
                + url
                + " — start it with ./engram up (or set ENGRAM_API_URL)");
    assertThat(result.out()).isEmpty();
  }

  @Test
  void apiUrlComesFromTheEnvironmentWhenNotGiven() throws IOException {
    String url = "http://127.0.0.1:" + freePort();

    CliRunner.Result result = CliRunner.run(Map.of("ENGRAM_API_URL", url + "/"), "status");

    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.err()).contains("cannot reach the Engram API at " + url + " ");
  }

  @Test
  void verboseAndDebugEnvironmentPrintStackTraces() throws IOException {
    String url = "http://127.0.0.1:" + freePort();

    CliRunner.Result verbose = CliRunner.run("status", "--api", url, "--verbose");
    CliRunner.Result debug = CliRunner.run(Map.of("ENGRAM_DEBUG", "1"), "--api", url, "status");

    assertThat(verbose.exitCode()).isEqualTo(3);
    assertThat(verbose.err()).contains("java.net.ConnectException", "\tat ");
    assertThat(debug.err()).contains("java.net.ConnectException", "\tat ");
  }

  @Test
  void malformedApiUrlIsAUsageError() {
    CliRunner.Result result = CliRunner.run("--api", "localhost:8080", "status");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("error: invalid API URL 'localhost:8080'");
  }

  /** A port nothing listens on: bound once to find it, then released. */
  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
