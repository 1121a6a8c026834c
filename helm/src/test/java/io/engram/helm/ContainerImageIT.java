package io.engram.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The images the chart deploys are built by {@code scripts/build-image.sh} from the jars this build
 * packaged, and start: its {@code --check} verifies the archives' digests and runs the API, the
 * worker and the migration command from the unpacked images as uid 10001 on a read-only root. The
 * Debian base is assembled once (a few minutes) and reused from {@code .engram/image}. Needs root
 * (mmdebstrap, a private mount namespace), as {@code ./engram test} and CI have.
 */
class ContainerImageIT {
  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

  @Test
  @Timeout(value = 20, unit = TimeUnit.MINUTES)
  void api_and_worker_images_build_and_start_non_root_on_a_read_only_root() throws Exception {
    assumeTrue(
        "root".equals(System.getProperty("user.name")),
        "building the base image and checking it needs root");
    for (String module : new String[] {"api", "workers"}) {
      Path target = ROOT.resolve(module).resolve("target");
      assumeTrue(Files.isDirectory(target), module + " is not built in this build");
      try (Stream<Path> jars = Files.list(target)) {
        assumeTrue(
            jars.map(j -> j.getFileName().toString())
                .anyMatch(
                    j -> j.startsWith("engram-") && j.endsWith(".jar") && !j.contains("-tests")),
            module + " is not packaged in this build");
      }
    }
    Process p =
        new ProcessBuilder(
                ROOT.resolve("scripts/build-image.sh").toString(), "--skip-build", "--check")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    assertThat(out)
        .contains("io.engram.api.Application printed: usage: engram-api")
        .contains("io.engram.workers.WorkerMain printed: usage: engram-worker")
        .contains("io.engram.migrations.Migrations printed: usage: Migrations");
  }
}
