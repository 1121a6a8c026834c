package io.engram.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Process plumbing shared by the service launchers: commands, logs, process trees, temp dirs. */
final class ServiceProcesses {

  private static final Logger LOG = LoggerFactory.getLogger(ServiceProcesses.class);

  /** How many log lines an error message carries; enough to show the cause without flooding. */
  static final int LOG_TAIL_LINES = 40;

  private static final Duration EXIT_WAIT = Duration.ofSeconds(10);

  private ServiceProcesses() {}

  /** Outcome of a short-lived command; output holds stdout and stderr interleaved. */
  record CommandResult(int exitCode, boolean timedOut, String output) {

    boolean succeeded() {
      return !timedOut && exitCode == 0;
    }
  }

  /** A service process that did not come up; {@code portInUse} tells the caller to retry. */
  static final class StartupException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final boolean portInUse;

    StartupException(String message, boolean portInUse, Throwable cause) {
      super(message, cause);
      this.portInUse = portInUse;
    }

    boolean portInUse() {
      return portInUse;
    }
  }

  /**
   * Tells whether this JVM runs with uid 0. The owner of /proc/self is the effective uid, which is
   * what PostgreSQL checks when it refuses to run as root.
   */
  static boolean runningAsRoot() {
    try {
      return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }

  /**
   * Creates a builder whose environment has no variables starting with {@code droppedPrefix}, so a
   * developer's shell settings (PGDATA, TEMPORAL_ADDRESS and the like) cannot redirect the commands
   * away from the private service.
   */
  static ProcessBuilder builder(List<String> command, String droppedPrefix) {
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().keySet().removeIf(name -> name.startsWith(droppedPrefix));
    return builder;
  }

  /**
   * Runs a command to completion. Output goes through a file rather than a pipe so a chatty command
   * cannot block on a full pipe buffer while this thread waits for it.
   */
  static CommandResult run(ProcessBuilder builder, Duration timeout) {
    Path output = null;
    try {
      output = Files.createTempFile("engram-cmd-", ".log");
      builder.redirectErrorStream(true).redirectOutput(output.toFile());
      Process process = builder.start();
      process.getOutputStream().close();
      boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (!exited) {
        destroyTree(process.toHandle(), Duration.ZERO);
      }
      String text = new String(Files.readAllBytes(output), StandardCharsets.UTF_8);
      return new CommandResult(exited ? process.exitValue() : -1, !exited, text);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not run " + String.join(" ", builder.command()), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(
          "Interrupted while running " + String.join(" ", builder.command()), e);
    } finally {
      deleteQuietly(output);
    }
  }

  /**
   * Returns the last lines of a log file, or a note saying why there is nothing to show. A Go
   * panic's stack trace (the Temporal dev server's) fills any tail, so its first {@code panic:}
   * line, which says what went wrong, comes first when the tail does not hold it.
   */
  static String tail(Path log, int lines) {
    if (!Files.exists(log)) {
      return "(log file " + log + " does not exist)";
    }
    try {
      String text = new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
      List<String> all = text.lines().toList();
      List<String> last = all.subList(Math.max(0, all.size() - lines), all.size());
      if (last.isEmpty()) {
        return "(log file " + log + " is empty)";
      }
      String shown = String.join("\n", last);
      return all.stream()
          .filter(l -> l.startsWith("panic:"))
          .findFirst()
          .filter(panic -> !last.contains(panic))
          .map(panic -> panic + "\n…\n" + shown)
          .orElse(shown);
    } catch (IOException e) {
      return "(could not read log file " + log + ": " + e.getMessage() + ")";
    }
  }

  /**
   * Tells whether a server's log shows that it could not bind a port, anywhere in it: the line can
   * stand far above the last lines, as the first of a Go panic's trace does.
   */
  static boolean mentionsPortInUse(Path log) {
    try {
      return Files.exists(log)
          && new String(Files.readAllBytes(log), StandardCharsets.UTF_8)
              .toLowerCase(Locale.ROOT)
              .contains("address already in use");
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Stops a process and everything it spawned. Descendants are listed before anything is signalled,
   * because once the root dies its children are re-parented and can no longer be found from it.
   * With a zero grace period everything is killed at once; otherwise the root is asked to terminate
   * first so it can shut its children down cleanly.
   */
  static void destroyTree(ProcessHandle root, Duration grace) {
    List<ProcessHandle> tree = new ArrayList<>(root.descendants().toList());
    tree.add(root);
    if (!grace.isZero() && root.isAlive()) {
      root.destroy();
      awaitExit(root, grace);
    }
    for (ProcessHandle handle : tree) {
      if (handle.isAlive()) {
        handle.destroyForcibly();
      }
    }
    for (ProcessHandle handle : tree) {
      awaitExit(handle, EXIT_WAIT);
    }
  }

  /** Waits for a process to exit and reports whether it did within the time given. */
  static boolean awaitExit(ProcessHandle handle, Duration timeout) {
    try {
      handle.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      return !handle.isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !handle.isAlive();
    }
  }

  /** Deletes a directory tree; failures are logged, not thrown, since this runs during cleanup. */
  static void deleteRecursively(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(ServiceProcesses::deleteQuietly);
    } catch (IOException | UncheckedIOException e) {
      LOG.warn("Could not delete {}: remove it by hand", dir, e);
    }
  }

  private static void deleteQuietly(Path path) {
    if (path == null) {
      return;
    }
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      LOG.warn("Could not delete {}: {}", path, e.toString());
    }
  }

  /** Registers a JVM shutdown hook so servers die with the JVM even if nobody closes them. */
  static Thread addShutdownHook(String name, Runnable action) {
    Thread hook = new Thread(action, name);
    Runtime.getRuntime().addShutdownHook(hook);
    return hook;
  }

  /**
   * Removes a hook. The JVM forbids that once it is shutting down, and by then the hook is running
   * or about to, so the refusal is ignored.
   */
  static void removeShutdownHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      LOG.debug("JVM is shutting down; hook {} stays registered", hook.getName());
    }
  }
}
