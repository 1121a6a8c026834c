package io.engram.workers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Worker processes for the tests that kill one: {@link WorkerMain} in a JVM of its own on the
 * test's classpath, so {@code destroyForcibly()} is a real SIGKILL of a whole worker.
 */
final class WorkerProcesses {
  private WorkerProcesses() {}

  /** Starts a worker with {@code settings} as its environment; its output goes to a temp file. */
  static Process start(Map<String, String> settings) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
            java,
            "-Xmx1g",
            "-cp",
            System.getProperty("java.class.path"),
            WorkerMain.class.getName());
    pb.environment().putAll(settings);
    pb.redirectErrorStream(true);
    pb.redirectOutput(Files.createTempFile("engram-worker", ".log").toFile());
    return pb.start();
  }
}
