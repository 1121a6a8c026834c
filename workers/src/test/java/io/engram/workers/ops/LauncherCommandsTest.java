package io.engram.workers.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The launcher's answer to a command it does not know: a usage error (exit 2) that names the
 * commands a typo away, or none when nothing is near, and where the list is.
 */
class LauncherCommandsTest {
  private static final Path LAUNCHER = Path.of("..", "engram").toAbsolutePath().normalize();

  @TempDir Path home;

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
