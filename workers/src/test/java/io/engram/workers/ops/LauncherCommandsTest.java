package io.engram.workers.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The launcher's own answers: to a command it does not know, a usage error (exit 2) that names the
 * commands a typo away, or none when nothing is near, and where the list is; and {@code status}
 * beside an API it did not start.
 */
class LauncherCommandsTest {
  private static final Path LAUNCHER = Path.of("..", "engram").toAbsolutePath().normalize();

  @TempDir Path home;

  /**
   * An API this launcher did not start (another checkout's, or another ENGRAM_HOME's) answering on
   * its port: status says so rather than showing the API stopped beside a healthy /health.
   */
  @Test
  void status_tells_an_api_it_did_not_start() throws Exception {
    String output = statusBesideAForeignApi("status");

    assertThat(output)
        .contains("api       stopped", "\"status\":\"UP\"")
        .contains("not one started with ENGRAM_HOME=" + home);
  }

  /** The same note in {@code status --json}, as a {@code note} field beside the services. */
  @Test
  void status_json_tells_an_api_it_did_not_start() throws Exception {
    JsonNode status = new ObjectMapper().readTree(statusBesideAForeignApi("status", "--json"));

    assertThat(status.path("api").asText()).isEqualTo("stopped");
    assertThat(status.path("health").path("status").asText()).isEqualTo("UP");
    assertThat(status.path("note").asText())
        .startsWith("an API answers at " + status.path("apiUrl").asText())
        .contains("not one started with ENGRAM_HOME=" + home);
  }

  /** With nothing answering on the API's port there is nothing to note: the field is null. */
  @Test
  void status_json_has_a_null_note_when_no_api_answers() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    JsonNode status = new ObjectMapper().readTree(runStatus(port, "status", "--json"));

    assertThat(status.path("api").asText()).isEqualTo("stopped");
    assertThat(status.get("health").isNull()).isTrue();
    assertThat(status.has("note")).isTrue();
    assertThat(status.get("note").isNull()).isTrue();
  }

  private String statusBesideAForeignApi(String... args) throws Exception {
    HttpServer api = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    api.createContext(
        "/health",
        exchange -> {
          byte[] body = "{\"status\":\"UP\"}".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    api.start();
    try {
      return runStatus(api.getAddress().getPort(), args);
    } finally {
      api.stop(0);
    }
  }

  /**
   * The launcher's output: with {@code --json} its standard output alone, which must be the JSON;
   * otherwise standard output and error together, as the text's note goes to standard error.
   */
  private String runStatus(int apiPort, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(LAUNCHER.toString());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    if (command.contains("--json")) {
      pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    } else {
      pb.redirectErrorStream(true);
    }
    pb.environment().put("ENGRAM_HOME", home.toString());
    pb.environment().put("ENGRAM_API_PORT", Integer.toString(apiPort));
    pb.environment().remove("ENGRAM_API_URL");
    Process process = pb.start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(1, TimeUnit.MINUTES)).isTrue();
    return output;
  }

  @ParameterizedTest
  @CsvSource({
    "injest, ingest",
    "colections, collections",
    "rolout, rollout",
    "stat, status",
    "Models, models",
    "xyzzy, ''"
  })
  void an_unknown_command_is_a_usage_error_that_suggests_the_near_ones(String typed, String near)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(LAUNCHER.toString(), typed).redirectErrorStream(true);
    pb.environment().put("ENGRAM_HOME", home.toString());
    Process process = pb.start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(1, TimeUnit.MINUTES)).isTrue();

    assertThat(process.exitValue()).as(output).isEqualTo(2);
    assertThat(output).contains("unknown command: " + typed, "./engram --help lists every command");
    if (near.isEmpty()) {
      assertThat(output).doesNotContain("Did you mean");
    } else {
      assertThat(output).contains("Did you mean: " + near + "?");
    }
    // The message alone, not the whole usage after it.
    assertThat(output.lines().count()).isEqualTo(1);
  }
}
