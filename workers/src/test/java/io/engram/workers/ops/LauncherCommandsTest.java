package io.engram.workers.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
      ProcessBuilder pb =
          new ProcessBuilder(LAUNCHER.toString(), "status").redirectErrorStream(true);
      pb.environment().put("ENGRAM_HOME", home.toString());
      pb.environment().put("ENGRAM_API_PORT", Integer.toString(api.getAddress().getPort()));
      pb.environment().remove("ENGRAM_API_URL");
      Process process = pb.start();
      process.getOutputStream().close();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.waitFor(1, TimeUnit.MINUTES)).isTrue();

      assertThat(output)
          .contains("api       stopped", "\"status\":\"UP\"")
          .contains("not one started with ENGRAM_HOME=" + home);
    } finally {
      api.stop(0);
    }
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
