package io.engram.core.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.engram.testing.EngramServices;
import io.engram.testing.EngramServicesExtension;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** How the process's Jdbi binds values and reports failures, on a real PostgreSQL. */
@EngramServices
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EngramJdbiIT {
  private HikariDataSource db;
  private Jdbi jdbi;

  @BeforeAll
  void setUp() {
    var postgres = EngramServicesExtension.postgres();
    db =
        Database.connect(
            postgres.createDatabase("engram_jdbi_it"),
            postgres.user(),
            postgres.password(),
            "jdbi-it",
            2);
    jdbi = EngramJdbi.create(db);
  }

  @AfterAll
  void tearDown() {
    db.close();
  }

  @Test
  void a_failed_statement_reports_the_database_error_without_the_statement_or_its_values() {
    assertThatThrownBy(
            () ->
                jdbi.withHandle(
                    h ->
                        h.createQuery("SELECT 1 / (length(:token) - length(:token))")
                            .bind("token", "s3cr3t-t0ken")
                            .mapTo(Integer.class)
                            .one()))
        .isInstanceOf(JdbiException.class)
        .hasMessageContaining("division by zero")
        .hasMessageNotContaining("s3cr3t-t0ken")
        .hasMessageNotContaining("length(");
  }

  @Test
  void text_lists_bind_as_text_arrays_and_uuids_as_uuids() {
    List<String> types =
        jdbi.withHandle(
            h ->
                h.createQuery("SELECT pg_typeof(:names)::text, pg_typeof(:id)::text")
                    .bindArray("names", String.class, List.of("a", "b"))
                    .bind("id", UUID.randomUUID())
                    .map((rs, ctx) -> List.of(rs.getString(1), rs.getString(2)))
                    .one());
    assertThat(types).containsExactly("text[]", "uuid");
  }

  @Test
  void sql_with_angle_brackets_reaches_postgres_unchanged() {
    // pgvector's <=> and comparisons must not be taken for template attributes.
    boolean ordered =
        jdbi.withHandle(
            h ->
                h.createQuery("SELECT :a <> :b AND :a < :b AND :b > :a")
                    .bind("a", 1)
                    .bind("b", 2)
                    .mapTo(Boolean.class)
                    .one());
    assertThat(ordered).isTrue();
  }
}
