package io.engram.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Proves the test services work on this machine: the shared PostgreSQL has pgvector, the shared
 * Temporal dev server answers, and private servers survive a crash with their data.
 */
@EngramServices
class EngramServicesIT {

  @Test
  void postgresServesTheEngramDatabase() throws SQLException {
    PostgresServer postgres = EngramServicesExtension.postgres();

    try (Connection connection = connect(postgres, postgres.jdbcUrl());
        Statement statement = connection.createStatement()) {
      assertThat(names(statement, "SELECT current_database()")).containsExactly("engram");
    }
  }

  @Test
  void postgresRanksByCosineDistanceWithPgvector() throws SQLException {
    PostgresServer postgres = EngramServicesExtension.postgres();
    // A database of its own, so the table cannot leak into the engram database that other
    // classes migrate.
    String jdbcUrl = postgres.createDatabase("services_it_vector");

    try (Connection connection = connect(postgres, jdbcUrl);
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE EXTENSION IF NOT EXISTS vector");
      statement.execute("CREATE TABLE items (name text PRIMARY KEY, embedding vector(3) NOT NULL)");
      statement.execute(
          "INSERT INTO items VALUES"
              + " ('opposite', '[-1,0,0]'), ('orthogonal', '[0,1,0]'),"
              + " ('diagonal', '[1,1,0]'), ('same', '[2,0,0]')");

      assertThat(names(statement, "SELECT name FROM items ORDER BY embedding <=> '[1,0,0]'"))
          .containsExactly("same", "diagonal", "orthogonal", "opposite");
    }
  }

  @Test
  void createdDatabasesAreIsolatedFromEachOther() throws SQLException {
    PostgresServer postgres = EngramServicesExtension.postgres();
    String first = postgres.createDatabase("services_it_first");
    String second = postgres.createDatabase("services_it_second");

    try (Connection connection = connect(postgres, first);
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE only_here (id int)");
    }
    try (Connection connection = connect(postgres, second);
        Statement statement = connection.createStatement()) {
      assertThat(names(statement, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
          .isEmpty();
    }
    assertThatThrownBy(() -> postgres.createDatabase("Robert'); DROP TABLE students;--"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void privatePostgresKeepsCommittedDataAcrossKillAndRestart() throws SQLException {
    // A private server, so crashing it cannot disturb other classes sharing the common one.
    try (PostgresServer postgres = PostgresServer.start()) {
      try (Connection connection = connect(postgres, postgres.jdbcUrl());
          Statement statement = connection.createStatement()) {
        statement.execute("CREATE TABLE survivors (name text)");
        statement.execute("INSERT INTO survivors VALUES ('kept')");
      }

      postgres.kill();
      assertThatThrownBy(() -> connect(postgres, postgres.jdbcUrl()).close())
          .isInstanceOf(SQLException.class);
      postgres.restart();

      try (Connection connection = connect(postgres, postgres.jdbcUrl());
          Statement statement = connection.createStatement()) {
        assertThat(names(statement, "SELECT name FROM survivors")).containsExactly("kept");
      }
    }
  }

  @Test
  void temporalDevServerAnswersOnItsAddress() throws IOException, InterruptedException {
    TemporalDevServer temporal = EngramServicesExtension.temporal();
    String[] hostAndPort = temporal.address().split(":");

    try (Socket socket = new Socket()) {
      socket.connect(
          new InetSocketAddress(hostAndPort[0], Integer.parseInt(hostAndPort[1])), 2_000);
      assertThat(socket.isConnected()).isTrue();
    }

    CliResult list = cli(temporal, "workflow", "list");
    assertThat(list.exitCode())
        .as("exit code of workflow list, output: %s", list.output())
        .isZero();
  }

  @Test
  void privateTemporalKeepsWorkflowsAcrossKillAndRestart()
      throws IOException, InterruptedException {
    // A private server, so crashing it cannot disturb other classes sharing the common one.
    try (TemporalDevServer temporal = TemporalDevServer.start()) {
      CliResult started =
          cli(
              temporal,
              "workflow",
              "start",
              "--type",
              "NeverRuns",
              "--task-queue",
              "nobody-polls",
              "--workflow-id",
              "survivor");
      assertThat(started.exitCode()).as("workflow start: %s", started.output()).isZero();

      temporal.kill();
      temporal.restart();

      CliResult described = cli(temporal, "workflow", "describe", "--workflow-id", "survivor");
      assertThat(described.exitCode()).as("workflow describe: %s", described.output()).isZero();
      assertThat(described.output()).contains("NeverRuns");
    }
  }

  private record CliResult(int exitCode, String output) {}

  private static CliResult cli(TemporalDevServer temporal, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(temporal.cli().toString()));
    command.addAll(List.of(args));
    command.addAll(
        List.of("--address", temporal.address(), "--namespace", TemporalDevServer.NAMESPACE));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
    return new CliResult(process.exitValue(), output);
  }

  private static Connection connect(PostgresServer postgres, String jdbcUrl) throws SQLException {
    return DriverManager.getConnection(jdbcUrl, postgres.user(), postgres.password());
  }

  private static List<String> names(Statement statement, String query) throws SQLException {
    List<String> names = new ArrayList<>();
    try (ResultSet rows = statement.executeQuery(query)) {
      while (rows.next()) {
        names.add(rows.getString(1));
      }
    }
    return names;
  }
}
