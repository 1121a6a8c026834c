package io.engram.workers.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.migrations.Migrations;
import io.engram.testing.PostgresServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * {@code ./engram backup} and {@code ./engram restore} against a private PostgreSQL: a migrated
 * database with rows in it is dumped, wiped and restored, and every table holds what it held.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class BackupRestoreIT {

  private static final Path LAUNCHER = Path.of("..", "engram").toAbsolutePath().normalize();

  private PostgresServer postgres;

  @TempDir Path home;

  @BeforeAll
  void startPostgres() throws SQLException {
    postgres = PostgresServer.start();
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setUrl(postgres.jdbcUrl());
    dataSource.setUser(postgres.user());
    Migrations.migrate(dataSource);
    try (Connection c = connect();
        Statement st = c.createStatement()) {
      st.execute("INSERT INTO collections (name) VALUES ('backup-it')");
      st.execute(
          "INSERT INTO index_versions (name, embedding_model, dimension, chunk_size,"
              + " chunk_overlap) VALUES ('backup-it-v1', 'test-model', 3, 200, 20)");
      for (int d = 1; d <= 3; d++) {
        st.execute(
            "INSERT INTO documents (collection, source_uri, origin, title) VALUES ('backup-it',"
                + " 'doc-"
                + d
                + "', 'corpus', 'Title "
                + d
                + " with a tab\tand a\nnewline')");
      }
      st.execute(
          "INSERT INTO chunks (document_id, index_version_id, ordinal, text, embedding)"
              + " SELECT d.id, v.id, o, 'chunk ' || o || E' of\\n' || d.source_uri,"
              + " '[1,0.5,-2]' FROM documents d, index_versions v, generate_series(0, 1) o"
              + " WHERE d.collection = 'backup-it'");
    }
  }

  @AfterAll
  void stopPostgres() {
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void a_wiped_database_comes_back_with_every_row_from_the_backup() throws Exception {
    Map<String, Long> before = counts();
    assertThat(before).containsEntry("chunks", 6L).containsEntry("documents", 3L);
    Path dump = home.resolve("engram.dump");

    Result backup = launcher("backup", "--to", dump.toString());
    assertThat(backup.exitCode()).as(backup.output()).isZero();
    assertThat(dump).isNotEmptyFile();
    assertThat(backup.output()).containsPattern("chunks +6\\n").containsPattern("documents +3\\n");

    try (Connection c = connect();
        Statement st = c.createStatement()) {
      st.execute("DROP SCHEMA public CASCADE");
      st.execute("CREATE SCHEMA public");
    }
    assertThat(counts()).isEmpty();

    Result restore = launcher("restore", dump.toString());
    assertThat(restore.exitCode()).as(restore.output()).isZero();
    assertThat(restore.output())
        .containsPattern("chunks +6 +6  ok")
        .doesNotContain("MISMATCH")
        .contains("every table's row count equals the backup's");
    assertThat(counts()).isEqualTo(before);
    assertThat(
            strings(
                "SELECT c.text || '|' || c.embedding::text FROM chunks c JOIN documents d"
                    + " ON d.id = c.document_id WHERE d.source_uri = 'doc-2' ORDER BY c.ordinal"))
        .containsExactly("chunk 0 of\ndoc-2|[1,0.5,-2]", "chunk 1 of\ndoc-2|[1,0.5,-2]");
    assertThat(strings("SELECT title FROM documents WHERE source_uri = 'doc-1'"))
        .containsExactly("Title 1 with a tab\tand a\nnewline");
  }

  @Test
  void restore_refuses_while_the_api_runs_and_changes_nothing() throws Exception {
    Path dump = home.resolve("refused.dump");
    Result backup = launcher("backup", "--to", dump.toString(), "--json");
    assertThat(backup.exitCode()).as(backup.output()).isZero();
    assertThat(backup.output())
        .startsWith("{\"file\":\"" + dump + "\"")
        .contains("\"chunks\":6", "\"documents\":3");
    Map<String, Long> before = counts();
    // The launcher knows a running API by its pid file; this JVM stands in for it.
    Files.createDirectories(home.resolve("run"));
    Files.writeString(home.resolve("run/api.pid"), Long.toString(ProcessHandle.current().pid()));
    try {
      Result refused = launcher("restore", dump.toString());

      assertThat(refused.exitCode()).isEqualTo(2);
      assertThat(refused.output()).contains("./engram down");
      assertThat(counts()).isEqualTo(before);
    } finally {
      Files.delete(home.resolve("run/api.pid"));
    }
  }

  @Test
  void restore_rejects_a_file_that_is_not_a_backup() throws Exception {
    Path notADump = Files.writeString(home.resolve("notes.txt"), "not a dump");

    Result rejected = launcher("restore", notADump.toString());

    assertThat(rejected.exitCode()).isEqualTo(2);
    assertThat(rejected.output()).contains("is not a pg_dump custom-format backup");
  }

  /** The dump holds API key hashes and users' memory: only its owner reads it. */
  @Test
  void backup_is_readable_by_its_owner_only_and_replaces_a_file_only_when_forced()
      throws Exception {
    Path dump = home.resolve("private.dump");

    Result backup = launcher("backup", "--to", dump.toString());

    assertThat(backup.exitCode()).as(backup.output()).isZero();
    assertThat(Files.getPosixFilePermissions(dump))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));

    Path existing = Files.writeString(home.resolve("existing.dump"), "keep me");
    Result refused = launcher("backup", "--to", existing.toString());

    assertThat(refused.exitCode()).isEqualTo(2);
    assertThat(refused.output()).contains(existing + " exists", "--force");
    assertThat(existing).hasContent("keep me");

    Result forced = launcher("backup", "--to", existing.toString(), "--force");

    assertThat(forced.exitCode()).as(forced.output()).isZero();
    assertThat(forced.output()).containsPattern("chunks +6\\n");
    assertThat(Files.getPosixFilePermissions(existing))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(launcher("backup", "--help").output()).contains("--force");

    // A directory is refused before anything is dumped, --force or not.
    Path folder = Files.createDirectories(home.resolve("dumps"));
    Result intoFolder = launcher("backup", "--to", folder.toString(), "--force");

    assertThat(intoFolder.exitCode()).isEqualTo(2);
    assertThat(intoFolder.output()).contains("is a directory", folder + "/engram.dump");
    try (var left = Files.list(folder)) {
      assertThat(left).isEmpty();
    }
  }

  private record Result(int exitCode, String output) {}

  private Result launcher(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(LAUNCHER.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("ENGRAM_HOME", home.toString());
    pb.environment().put("DATABASE_URL", postgres.jdbcUrl());
    pb.environment().put("ENGRAM_DB_USER", postgres.user());
    Process process = pb.start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("%s finished", command).isTrue();
    return new Result(process.exitValue(), output);
  }

  /** Rows per table of the public schema. */
  private Map<String, Long> counts() throws SQLException {
    Map<String, Long> counts = new TreeMap<>();
    for (String table :
        strings("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")) {
      counts.put(table, Long.parseLong(strings("SELECT count(*) FROM \"" + table + "\"").get(0)));
    }
    return counts;
  }

  private List<String> strings(String sql) throws SQLException {
    List<String> values = new ArrayList<>();
    try (Connection c = connect();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        values.add(rs.getString(1));
      }
    }
    return values;
  }

  private Connection connect() throws SQLException {
    return DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), postgres.password());
  }
}
