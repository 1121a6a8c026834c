package io.engram.workers;

import io.engram.testing.JavaProcesses;
import java.io.IOException;
import java.util.Map;

/** Worker processes for the tests that kill one: {@link WorkerMain} in a JVM of its own. */
final class WorkerProcesses {
  private WorkerProcesses() {}

  /** Starts a worker with {@code settings} as its environment; its output goes to a temp file. */
  static Process start(Map<String, String> settings) throws IOException {
    return JavaProcesses.start(WorkerMain.class, "worker", settings);
  }
}
