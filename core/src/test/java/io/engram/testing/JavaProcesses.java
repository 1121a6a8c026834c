package io.engram.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Engram processes for the tests that kill one: a {@code main} class in a JVM of its own on the
 * test's classpath, so {@code destroyForcibly()} is a real SIGKILL of a whole worker or API.
 */
public final class JavaProcesses {
  private JavaProcesses() {}

  /**
   * Starts {@code main} with {@code settings} as its environment; its output goes to a temp file
   * named after {@code name}.
   */
  public static Process start(Class<?> main, String name, Map<String, String> settings)
      throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx1g",
            "-cp",
            System.getProperty("java.class.path"),
            main.getName());
    pb.environment().putAll(settings);
    pb.redirectErrorStream(true);
    pb.redirectOutput(Files.createTempFile("engram-" + name, ".log").toFile());
    return pb.start();
  }
}
