package io.engram.core.db;

import java.sql.SQLException;
import java.util.Optional;

/**
 * Tells a failure caused by the data a statement carried (a value the column cannot hold: a NUL
 * character in text, an invalid byte sequence, a number out of range) from any other failure. Such
 * a statement fails the same way however often it is retried, so callers fail the one item that
 * carried the data instead of retrying it.
 */
public final class InvalidData {

  /** Cause chains are short; the bound only guards against a cycle. */
  private static final int MAX_DEPTH = 32;

  private InvalidData() {}

  /**
   * The "data exception" (SQLSTATE class 22, as the SQL standard and PostgreSQL name it) in {@code
   * failure}'s cause chain, if there is one: the innermost, which is the server's own error rather
   * than a driver's wrapper quoting the statement (a batch's {@code BatchUpdateException}).
   */
  public static Optional<SQLException> in(Throwable failure) {
    SQLException found = null;
    Throwable current = failure;
    for (int depth = 0; current != null && depth < MAX_DEPTH; depth++) {
      if (current instanceof SQLException sql
          && sql.getSQLState() != null
          && sql.getSQLState().startsWith("22")) {
        found = sql;
      }
      current = current.getCause() == current ? null : current.getCause();
    }
    return Optional.ofNullable(found);
  }
}
