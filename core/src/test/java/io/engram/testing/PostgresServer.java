package io.engram.testing;

import com.zaxxer.hikari.HikariDataSource;
import io.engram.core.db.Database;
import io.engram.migrations.Migrations;
import io.engram.testing.ServiceProcesses.CommandResult;
import io.engram.testing.ServiceProcesses.StartupException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A private PostgreSQL server for integration tests, running from a throw-away data directory on a
 * free loopback port. Durability is switched off because the data dies with the test run anyway.
 *
 * <p>When the JVM runs as root the server processes run as the {@value #OS_USER} OS user, because
 * PostgreSQL refuses to start as root.
 */
public final class PostgresServer implements AutoCloseable {

  /** Environment variable that points at a directory holding initdb, pg_ctl and postgres. */
  public static final String BIN_ENV = "ENGRAM_PG_BIN";

  /** Database created at startup; {@link #jdbcUrl()} points at it. */
  public static final String DATABASE = "engram";

  private static final Logger LOG = LoggerFactory.getLogger(PostgresServer.class);
  private static final Path DEFAULT_BIN = Path.of("/usr/lib/postgresql/15/bin");
  private static final String USER = "engram";
  private static final String OS_USER = "postgres";
  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(120);
  private static final int MAX_PORT_ATTEMPTS = 3;
  private static final Pattern PLAIN_IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  private final Path binDir;
  private final Path baseDir;
  private final Path dataDir;
  private final Path logFile;
  private final boolean dropPrivileges;
  private final Thread shutdownHook;
  private volatile int port;
  private volatile Process process;
  private boolean closed;

  private PostgresServer(Path binDir, Path baseDir, boolean dropPrivileges) {
    this.binDir = binDir;
    this.baseDir = baseDir;
    this.dataDir = baseDir.resolve("data");
    this.logFile = baseDir.resolve("postgres.log");
    this.dropPrivileges = dropPrivileges;
    this.shutdownHook =
        ServiceProcesses.addShutdownHook("engram-postgres-shutdown", this::destroyOnJvmExit);
  }

  /**
   * Creates a fresh cluster, starts it and creates the {@value #DATABASE} database.
   *
   * @throws IllegalStateException if the binaries are missing or the server does not come up within
   *     60 seconds; the message carries the end of the server log
   */
  public static PostgresServer start() {
    long startedAt = System.nanoTime();
    Path binDir = resolveBinDir();
    boolean dropPrivileges = ServiceProcesses.runningAsRoot();
    Path baseDir = createBaseDir(dropPrivileges);
    PostgresServer server = new PostgresServer(binDir, baseDir, dropPrivileges);
    try {
      server.initDb();
      server.startOnFreePort();
      server.execute("postgres", "CREATE DATABASE " + DATABASE);
    } catch (RuntimeException | Error e) {
      server.close();
      throw e;
    }
    LOG.info(
        "PostgreSQL started on 127.0.0.1:{} in {} ms (log: {})",
        server.port,
        Duration.ofNanos(System.nanoTime() - startedAt).toMillis(),
        server.logFile);
    return server;
  }

  /** JDBC URL of the {@value #DATABASE} database. */
  public String jdbcUrl() {
    return jdbcUrl(DATABASE);
  }

  /** JDBC URL of any database on this server. */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  /** Superuser name; the cluster trusts every local connection so no password is needed. */
  public String user() {
    return USER;
  }

  /** Always empty, since the cluster is initialised with trust authentication. */
  public String password() {
    return "";
  }

  /** TCP port on 127.0.0.1 that the server listens on; it stays the same across restarts. */
  public int port() {
    return port;
  }

  /** Server log file, useful to attach to a failure report. */
  public Path logFile() {
    return logFile;
  }

  /**
   * Creates an empty database so a test can work in isolation from others sharing this server.
   *
   * @param name a lower-case identifier, unique on this server (for example the test class name)
   * @return JDBC URL of the new database
   */
  public String createDatabase(String name) {
    if (!PLAIN_IDENTIFIER.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "Database name '"
              + name
              + "' is not a plain identifier: use lower-case letters, digits and underscores,"
              + " at most 63 characters, not starting with a digit");
    }
    // Cloning template0 cannot fail with "source database is being accessed by other users",
    // which template1 does while another session happens to be connected to it.
    execute("postgres", "CREATE DATABASE " + name + " TEMPLATE template0");
    return jdbcUrl(name);
  }

  /**
   * Creates an empty database, connects a pool to it as the processes do ({@link Database}) and
   * migrates it to the current schema: where a test of the table owners starts.
   *
   * @param name as for {@link #createDatabase}; also the pool's name
   * @param poolSize the pool's largest size
   */
  public HikariDataSource migratedDatabase(String name, int poolSize) {
    HikariDataSource db =
        Database.connect(createDatabase(name), user(), password(), name, poolSize);
    try {
      Migrations.migrate(db);
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
    return db;
  }

  /**
   * Kills the server and all its backends with SIGKILL, as a crash would. The data directory is
   * kept, so {@link #restart()} brings the same data back after crash recovery.
   *
   * <p>Every transaction committed before the call survives, as on a production server with
   * synchronous_commit on: the WAL is flushed first, since this server commits asynchronously for
   * speed and would otherwise lose the last few hundred milliseconds of commits.
   */
  public synchronized void kill() {
    ensureOpen();
    Process current = process;
    if (current == null || !current.isAlive()) {
      return;
    }
    flushWal();
    // As root the launched process is runuser and the postmaster is its child. Killing only what
    // runs below runuser lets runuser reap the postmaster, so no zombie keeps the PID recorded in
    // postmaster.pid alive and makes the next start believe another server still runs.
    ProcessHandle root = current.toHandle();
    List<ProcessHandle> serverProcesses = new ArrayList<>(root.descendants().toList());
    if (!dropPrivileges) {
      serverProcesses.add(root);
    }
    serverProcesses.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle handle : serverProcesses) {
      ServiceProcesses.awaitExit(handle, Duration.ofSeconds(10));
    }
    ServiceProcesses.awaitExit(root, Duration.ofSeconds(10));
    LOG.info("PostgreSQL on port {} killed", port);
  }

  /**
   * Stops the server cleanly if it runs, then starts it again on the same port with the same data.
   */
  public synchronized void restart() {
    ensureOpen();
    Process current = process;
    if (current != null && current.isAlive()) {
      pgCtlStop("fast");
    }
    launch();
    awaitReady();
    LOG.info("PostgreSQL restarted on 127.0.0.1:{}", port);
  }

  /** Same as {@link #close()}. */
  public void stop() {
    close();
  }

  /** Stops the server at once and deletes its data directory. Calling it again does nothing. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      Process current = process;
      if (current != null && current.isAlive()) {
        pgCtlStop("immediate");
      }
      if (current != null) {
        ServiceProcesses.destroyTree(current.toHandle(), Duration.ZERO);
      }
    } finally {
      ServiceProcesses.deleteRecursively(baseDir);
      ServiceProcesses.removeShutdownHook(shutdownHook);
    }
    LOG.info("PostgreSQL on port {} stopped", port);
  }

  @Override
  public String toString() {
    return "PostgresServer[" + jdbcUrl() + ", dir=" + baseDir + "]";
  }

  private static Path resolveBinDir() {
    String override = System.getenv(BIN_ENV);
    boolean overridden = override != null && !override.isBlank();
    Path binDir = overridden ? Path.of(override) : DEFAULT_BIN;
    for (String tool : List.of("initdb", "pg_ctl", "postgres")) {
      if (!Files.isExecutable(binDir.resolve(tool))) {
        throw new IllegalStateException(
            "PostgreSQL binaries not found in "
                + binDir
                + " (no executable "
                + tool
                + (overridden ? ", taken from " + BIN_ENV : "")
                + "): run scripts/install-deps.sh or set "
                + BIN_ENV
                + " to the directory holding initdb, pg_ctl and postgres");
      }
    }
    return binDir;
  }

  /**
   * Creates the temp directory holding data, log and socket. As root it is handed to the PostgreSQL
   * OS user, who must own the data directory and create the socket in it.
   */
  private static Path createBaseDir(boolean dropPrivileges) {
    Path baseDir;
    try {
      baseDir = Files.createTempDirectory("engram-pg-");
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Could not create a temp directory for PostgreSQL: check java.io.tmpdir", e);
    }
    if (dropPrivileges) {
      try {
        UserPrincipalLookupService lookup = baseDir.getFileSystem().getUserPrincipalLookupService();
        Files.setOwner(baseDir, lookup.lookupPrincipalByName(OS_USER));
      } catch (UserPrincipalNotFoundException e) {
        ServiceProcesses.deleteRecursively(baseDir);
        throw new IllegalStateException(
            "PostgreSQL refuses to run as root and there is no '"
                + OS_USER
                + "' OS user to run it as: install postgresql-15 (scripts/install-deps.sh)"
                + " or run the tests as a non-root user",
            e);
      } catch (IOException e) {
        ServiceProcesses.deleteRecursively(baseDir);
        throw new UncheckedIOException("Could not hand " + baseDir + " to " + OS_USER, e);
      }
    }
    return baseDir;
  }

  private void initDb() {
    // The C locale keeps sorting and encoding identical on every machine, whatever locales the
    // host happens to have generated.
    CommandResult result =
        runTool(
            List.of(
                binDir.resolve("initdb").toString(),
                "-D",
                dataDir.toString(),
                "-A",
                "trust",
                "-U",
                USER,
                "--encoding",
                "UTF8",
                "--locale",
                "C",
                "--no-sync",
                "--no-instructions"));
    if (!result.succeeded()) {
      throw new IllegalStateException(
          "initdb failed ("
              + describe(result)
              + ") for "
              + dataDir
              + ":\n"
              + result.output().strip());
    }
  }

  private void startOnFreePort() {
    for (int attempt = 1; ; attempt++) {
      port = FreePorts.next();
      launch();
      try {
        awaitReady();
        return;
      } catch (StartupException e) {
        if (!e.portInUse() || attempt >= MAX_PORT_ATTEMPTS) {
          throw e;
        }
        LOG.warn("Port {} was taken before PostgreSQL could bind it; trying another", port);
      }
    }
  }

  private void launch() {
    List<String> command =
        asServerUser(
            List.of(
                binDir.resolve("postgres").toString(),
                "-D",
                dataDir.toString(),
                "-p",
                Integer.toString(port),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "unix_socket_directories=" + baseDir,
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
                // Every test class shares this server and may hold a connection pool of its own.
                "-c",
                "max_connections=200"));
    try {
      Process started =
          ServiceProcesses.builder(command, "PG")
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

  private void awaitReady() {
    AtomicReference<SQLException> lastError = new AtomicReference<>();
    try {
      Awaitility.await("PostgreSQL on 127.0.0.1:" + port)
          .atMost(STARTUP_TIMEOUT)
          .pollInterval(Duration.ofMillis(100))
          .pollInSameThread()
          .until(() -> acceptsConnections(lastError));
    } catch (ConditionTimeoutException e) {
      throw new StartupException(
          "PostgreSQL did not accept connections on 127.0.0.1:"
              + port
              + " within "
              + STARTUP_TIMEOUT.toSeconds()
              + " s (last error: "
              + (lastError.get() == null ? "none" : lastError.get().getMessage())
              + "). Check that the machine is not overloaded. Last lines of its log:\n"
              + ServiceProcesses.tail(logFile, ServiceProcesses.LOG_TAIL_LINES),
          false,
          lastError.get());
    }
  }

  /**
   * Whether the server takes a connection now; a server that exited fails the wait at once, with
   * whether its log says the port was taken (so that the caller retries on another port).
   */
  private boolean acceptsConnections(AtomicReference<SQLException> lastError) {
    Process current = process;
    if (!current.isAlive()) {
      String log = ServiceProcesses.tail(logFile, ServiceProcesses.LOG_TAIL_LINES);
      throw new StartupException(
          "PostgreSQL exited with code "
              + current.exitValue()
              + " while starting on 127.0.0.1:"
              + port
              + ". Last lines of its log:\n"
              + log,
          ServiceProcesses.mentionsPortInUse(logFile),
          null);
    }
    try (Connection ignored = connect("postgres")) {
      return true;
    } catch (SQLException e) {
      lastError.set(e);
      return false;
    }
  }

  private void pgCtlStop(String mode) {
    CommandResult result =
        runTool(
            List.of(
                binDir.resolve("pg_ctl").toString(),
                "stop",
                "-D",
                dataDir.toString(),
                "-m",
                mode,
                "-w",
                "-t",
                "30"));
    if (!result.succeeded()) {
      LOG.warn(
          "pg_ctl stop -m {} failed ({}); killing the server instead: {}",
          mode,
          describe(result),
          result.output().strip());
    }
    Process current = process;
    if (current != null
        && !ServiceProcesses.awaitExit(current.toHandle(), Duration.ofSeconds(10))) {
      ServiceProcesses.destroyTree(current.toHandle(), Duration.ZERO);
    }
  }

  /**
   * Commits a transaction that writes a WAL record with synchronous_commit on, which writes out the
   * WAL up to its own commit record and so every asynchronous commit before it. Merely taking a
   * transaction id is not enough: PostgreSQL skips the flush for transactions that logged nothing.
   * A server that cannot be reached has nothing left to flush, so failures are only logged.
   */
  private void flushWal() {
    try (Connection connection = connect("postgres");
        Statement statement = connection.createStatement()) {
      connection.setAutoCommit(false);
      statement.execute("SET LOCAL synchronous_commit = on");
      statement.execute("SELECT pg_logical_emit_message(true, 'engram-testing', 'flush')");
      connection.commit();
    } catch (SQLException e) {
      LOG.warn("Could not flush the WAL of PostgreSQL on port {}: {}", port, e.getMessage());
    }
  }

  private void execute(String database, String sql) {
    try (Connection connection = connect(database);
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "Could not run '" + sql + "' on " + jdbcUrl(database) + ": " + e.getMessage(), e);
    }
  }

  private Connection connect(String database) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", USER);
    properties.setProperty("password", "");
    properties.setProperty("connectTimeout", "5");
    return DriverManager.getConnection(jdbcUrl(database), properties);
  }

  private CommandResult runTool(List<String> command) {
    return ServiceProcesses.run(
        ServiceProcesses.builder(asServerUser(command), "PG").directory(baseDir.toFile()),
        COMMAND_TIMEOUT);
  }

  private List<String> asServerUser(List<String> command) {
    if (!dropPrivileges) {
      return command;
    }
    List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", OS_USER, "--"));
    wrapped.addAll(command);
    return wrapped;
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException(this + " is closed: start a new PostgresServer");
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

  private static String describe(CommandResult result) {
    return result.timedOut() ? "timed out" : "exit code " + result.exitCode();
  }
}
