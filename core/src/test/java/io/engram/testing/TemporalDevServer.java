package io.engram.testing;

import io.engram.testing.ServiceProcesses.CommandResult;
import io.engram.testing.ServiceProcesses.StartupException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A private Temporal dev server ({@code temporal server start-dev}) for integration tests, with its
 * SQLite state in a throw-away directory and every port picked freshly, so several test JVMs can
 * run side by side without meeting on the default port 7233.
 */
public final class TemporalDevServer implements AutoCloseable {

  /** Environment variable that points at the temporal CLI binary. */
  public static final String CLI_ENV = "ENGRAM_TEMPORAL_CLI";

  /** Namespace the dev server creates; workers and clients in tests should use it. */
  public static final String NAMESPACE = "default";

  private static final Logger LOG = LoggerFactory.getLogger(TemporalDevServer.class);
  private static final Path CLI_IN_REPO = Path.of(".engram", "bin", "temporal");
  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);
  private static final int MAX_PORT_ATTEMPTS = 3;

  private final Path cli;
  private final Path baseDir;
  private final Path logFile;
  private final Thread shutdownHook;
  private volatile int port;
  private volatile int httpPort;
  private volatile int metricsPort;
  private volatile Process process;
  private boolean closed;

  private TemporalDevServer(Path cli, Path baseDir) {
    this.cli = cli;
    this.baseDir = baseDir;
    this.logFile = baseDir.resolve("temporal.log");
    this.shutdownHook =
        ServiceProcesses.addShutdownHook("engram-temporal-shutdown", this::destroyOnJvmExit);
  }

  /**
   * Starts a dev server and waits until it serves requests in the {@value #NAMESPACE} namespace.
   *
   * @throws IllegalStateException if the CLI is missing or the server does not answer within 60
   *     seconds; the message carries the end of the server log
   */
  public static TemporalDevServer start() {
    long startedAt = System.nanoTime();
    Path cli = resolveCli();
    Path baseDir;
    try {
      baseDir = Files.createTempDirectory("engram-temporal-");
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Could not create a temp directory for Temporal: check java.io.tmpdir", e);
    }
    TemporalDevServer server = new TemporalDevServer(cli, baseDir);
    try {
      server.startOnFreePorts();
    } catch (RuntimeException | Error e) {
      server.close();
      throw e;
    }
    LOG.info(
        "Temporal dev server started on {} in {} ms (log: {})",
        server.address(),
        Duration.ofNanos(System.nanoTime() - startedAt).toMillis(),
        server.logFile);
    return server;
  }

  /** gRPC front-end address, "127.0.0.1:PORT", for a WorkflowServiceStubs target. */
  public String address() {
    return "127.0.0.1:" + port;
  }

  /** gRPC front-end port; it stays the same across restarts. */
  public int port() {
    return port;
  }

  /** The temporal CLI this server runs, for tests that want to inspect it from the command line. */
  public Path cli() {
    return cli;
  }

  /** Server log file, useful to attach to a failure report. */
  public Path logFile() {
    return logFile;
  }

  /**
   * Kills the server with SIGKILL, as a crash would. Its state file is kept, so {@link #restart()}
   * brings back the same workflows.
   */
  public synchronized void kill() {
    ensureOpen();
    Process current = process;
    if (current != null) {
      ServiceProcesses.destroyTree(current.toHandle(), Duration.ZERO);
    }
    LOG.info("Temporal dev server on {} killed", address());
  }

  /** Stops the server if it runs, then starts it again on the same ports with the same state. */
  public synchronized void restart() {
    ensureOpen();
    Process current = process;
    if (current != null) {
      ServiceProcesses.destroyTree(current.toHandle(), STOP_GRACE);
    }
    launch();
    awaitReady();
    LOG.info("Temporal dev server restarted on {}", address());
  }

  /**
   * Stops the server with all processes it spawned and deletes its state. Repeat calls are no-ops.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      Process current = process;
      if (current != null) {
        ServiceProcesses.destroyTree(current.toHandle(), STOP_GRACE);
      }
    } finally {
      ServiceProcesses.deleteRecursively(baseDir);
      ServiceProcesses.removeShutdownHook(shutdownHook);
    }
    LOG.info("Temporal dev server on {} stopped", address());
  }

  @Override
  public String toString() {
    return "TemporalDevServer[" + address() + ", dir=" + baseDir + "]";
  }

  /**
   * Finds the CLI: {@value #CLI_ENV} wins, then {@code .engram/bin/temporal} in the working
   * directory or the nearest parent that has one, since Maven runs tests from the module directory
   * while the CLI is installed at the repository root.
   */
  static Path resolveCli() {
    String override = System.getenv(CLI_ENV);
    if (override != null && !override.isBlank()) {
      Path cli = Path.of(override);
      if (!Files.isExecutable(cli)) {
        throw new IllegalStateException(
            CLI_ENV
                + "="
                + override
                + " is not an executable file: point it at the temporal CLI binary, or unset it"
                + " to use .engram/bin/temporal from the repository");
      }
      return cli;
    }
    Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve(CLI_IN_REPO);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "Temporal CLI not found: there is no executable "
            + CLI_IN_REPO
            + " in "
            + start
            + " or any parent directory. Run scripts/install-deps.sh from the repository root or"
            + " set "
            + CLI_ENV
            + " to the temporal binary");
  }

  private void startOnFreePorts() {
    for (int attempt = 1; ; attempt++) {
      port = FreePorts.next();
      httpPort = FreePorts.next();
      metricsPort = FreePorts.next();
      launch();
      try {
        awaitReady();
        return;
      } catch (StartupException e) {
        if (!e.portInUse() || attempt >= MAX_PORT_ATTEMPTS) {
          throw e;
        }
        LOG.warn("A port was taken before Temporal could bind it; trying other ports");
        ServiceProcesses.destroyTree(process.toHandle(), Duration.ZERO);
      }
    }
  }

  private void launch() {
    List<String> command =
        List.of(
            cli.toString(),
            "server",
            "start-dev",
            "--headless",
            "--ip",
            "127.0.0.1",
            "--port",
            Integer.toString(port),
            "--http-port",
            Integer.toString(httpPort),
            "--metrics-port",
            Integer.toString(metricsPort),
            "--db-filename",
            baseDir.resolve("temporal.db").toString(),
            "--namespace",
            NAMESPACE,
            "--search-attribute",
            "EngramCollection=Keyword",
            "--search-attribute",
            "EngramSource=Keyword",
            "--search-attribute",
            "EngramJobType=Keyword",
            "--search-attribute",
            "EngramSession=Keyword",
            "--search-attribute",
            "EngramBatch=Keyword",
            "--search-attribute",
            "EngramRetrainReason=Keyword",
            "--search-attribute",
            "EngramRolloutPhase=Keyword",
            "--search-attribute",
            "EngramChampionVersion=Keyword",
            "--search-attribute",
            "EngramCandidateVersion=Keyword",
            "--log-level",
            "warn");
    try {
      Process started =
          ServiceProcesses.builder(command, "TEMPORAL_")
              .directory(baseDir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(Redirect.appendTo(logFile.toFile()))
              .start();
      started.getOutputStream().close();
      process = started;
    } catch (IOException e) {
      throw new UncheckedIOException("Could not launch " + String.join(" ", command), e);
    }
  }

  /**
   * Waits for the gRPC port to accept connections and then for a workflow listing to succeed. The
   * port opens before the namespace and visibility store are ready, so an open port alone would let
   * the first test fail with "namespace not found".
   */
  private void awaitReady() {
    AtomicReference<String> lastProblem =
        new AtomicReference<>("the gRPC port never accepted a connection");
    try {
      Awaitility.await("Temporal dev server on " + address())
          .atMost(STARTUP_TIMEOUT)
          .pollInterval(Duration.ofMillis(200))
          .pollInSameThread()
          .until(() -> answers(lastProblem));
    } catch (ConditionTimeoutException e) {
      throw new StartupException(
          "Temporal dev server did not answer on "
              + address()
              + " within "
              + STARTUP_TIMEOUT.toSeconds()
              + " s ("
              + lastProblem.get()
              + "). Check that the machine is not overloaded. Last lines of its log:\n"
              + ServiceProcesses.tail(logFile, ServiceProcesses.LOG_TAIL_LINES),
          false,
          null);
    }
  }

  /**
   * Whether the server lists workflows now; a server that exited fails the wait at once, with
   * whether its log says the port was taken (so that the caller retries on another port).
   */
  private boolean answers(AtomicReference<String> lastProblem) {
    Process current = process;
    if (!current.isAlive()) {
      String log = ServiceProcesses.tail(logFile, ServiceProcesses.LOG_TAIL_LINES);
      throw new StartupException(
          "Temporal dev server exited with code "
              + current.exitValue()
              + " while starting on "
              + address()
              + ". Last lines of its log:\n"
              + log,
          ServiceProcesses.mentionsPortInUse(logFile),
          null);
    }
    if (!acceptsConnections()) {
      return false;
    }
    CommandResult probe = listWorkflows();
    if (!probe.succeeded()) {
      lastProblem.set("temporal workflow list said: " + probe.output().strip());
    }
    return probe.succeeded();
  }

  private boolean acceptsConnections() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private CommandResult listWorkflows() {
    List<String> command =
        List.of(
            cli.toString(),
            "workflow",
            "list",
            "--address",
            address(),
            "--namespace",
            NAMESPACE,
            "--limit",
            "1");
    return ServiceProcesses.run(
        ServiceProcesses.builder(command, "TEMPORAL_").directory(baseDir.toFile()), PROBE_TIMEOUT);
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException(this + " is closed: start a new TemporalDevServer");
    }
  }

  /**
   * Runs from the shutdown hook without taking this object's lock, so a JVM exiting while another
   * thread is inside {@link #restart()} cannot hang on it.
   */
  private void destroyOnJvmExit() {
    Process current = process;
    if (current != null) {
      ServiceProcesses.destroyTree(current.toHandle(), Duration.ZERO);
    }
    ServiceProcesses.deleteRecursively(baseDir);
  }
}
