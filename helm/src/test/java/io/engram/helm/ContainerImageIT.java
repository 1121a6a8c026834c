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
import org.junit.jupiter.api.io.TempDir;

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

  /**
   * The base is assembled from the suite, its -updates and its -security (the JRE's fixes), from
   * the mirrors of the machine's apt configuration, in either of its formats.
   */
  @Test
  void the_base_comes_from_the_suite_its_updates_and_security_of_the_apt_mirrors(@TempDir Path apt)
      throws Exception {
    Path d = Files.createDirectories(apt.resolve("sources.list.d"));
    Files.writeString(
        d.resolve("debian.sources"),
        """
        Types: deb
        URIs: http://mirror.example.org/debian/
        Suites: bookworm bookworm-updates
        Components: main

        Types: deb
        URIs: http://security.example.org/debian-security
        Suites: bookworm-security
        Components: main
        """);
    assertThat(printSources(apt))
        .isEqualTo(
            """
            deb http://mirror.example.org/debian bookworm main
            deb http://mirror.example.org/debian bookworm-updates main
            deb http://security.example.org/debian-security bookworm-security main
            """);

    Files.delete(d.resolve("debian.sources"));
    Files.writeString(
        apt.resolve("sources.list"),
        "deb [signed-by=/usr/share/keyrings/k.gpg] http://mirror.example.org/debian bookworm main\n");
    // No security source configured: the mirror's debian-security beside its debian.
    assertThat(printSources(apt))
        .isEqualTo(
            """
            deb http://mirror.example.org/debian bookworm main
            deb http://mirror.example.org/debian bookworm-updates main
            deb http://mirror.example.org/debian-security bookworm-security main
            """);
  }

  private static String printSources(Path apt) throws Exception {
    ProcessBuilder b =
        new ProcessBuilder(ROOT.resolve("scripts/build-image.sh").toString(), "--print-sources");
    b.environment().put("ENGRAM_APT_DIR", apt.toString());
    Process p = b.redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    return out;
  }
}
