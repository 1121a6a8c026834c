package io.engram.core.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;

class DatabaseUnavailableTest {

  @Test
  void a_pool_timeout_deep_in_the_cause_chain_is_unavailability() {
    var timeout = new SQLTransientConnectionException("engram-api - Connection is not available");
    var wrapped = new IllegalStateException("retrieval failed", new RuntimeException(timeout));

    assertThat(DatabaseUnavailable.causes(wrapped)).isTrue();
  }

  @Test
  void connection_failures_and_a_server_shutting_down_are_unavailability() {
    assertThat(DatabaseUnavailable.causes(new SQLException("I/O error", "08006"))).isTrue();
    assertThat(DatabaseUnavailable.causes(new SQLException("refused", "08001"))).isTrue();
    assertThat(DatabaseUnavailable.causes(new SQLException("terminating", "57P01"))).isTrue();
    assertThat(DatabaseUnavailable.causes(new SQLException("starting up", "57P03"))).isTrue();
  }

  @Test
  void errors_of_the_statement_itself_are_not() {
    assertThat(DatabaseUnavailable.causes(new SQLException("syntax error", "42601"))).isFalse();
    assertThat(DatabaseUnavailable.causes(new SQLException("unique violation", "23505"))).isFalse();
    assertThat(DatabaseUnavailable.causes(new SQLException("no state"))).isFalse();
    assertThat(DatabaseUnavailable.causes(new IllegalArgumentException("bad"))).isFalse();
    assertThat(DatabaseUnavailable.causes(null)).isFalse();
  }
}
