package io.engram.core.db;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.Set;

/**
 * Tells a failure caused by a database that cannot be reached (down, restarting, refusing
 * connections, or a pool that timed out waiting for a connection) from any other failure: callers
 * answer the first with "unavailable, retry" and the second as a fault of their own.
 */
public final class DatabaseUnavailable {

  /**
   * SQLSTATEs of a server going away or not taking connections yet: admin_shutdown, crash_shutdown,
   * cannot_connect_now (starting up or shutting down).
   */
  private static final Set<String> SERVER_GOING_AWAY = Set.of("57P01", "57P02", "57P03");

  /** Cause chains are short; the bound only guards against a cycle. */
  private static final int MAX_DEPTH = 32;

  private DatabaseUnavailable() {}

  /** Whether {@code failure}, or anything in its cause chain, says the database is unreachable. */
  public static boolean causes(Throwable failure) {
    Throwable current = failure;
    for (int depth = 0; current != null && depth < MAX_DEPTH; depth++) {
      if (current instanceof SQLTransientConnectionException
          || current instanceof SQLNonTransientConnectionException) {
        return true;
      }
      if (current instanceof SQLException sql && isUnavailable(sql.getSQLState())) {
        return true;
      }
      current = current.getCause() == current ? null : current.getCause();
    }
    return false;
  }

  /** Class 08 is "connection exception" in the SQL standard, which PostgreSQL follows. */
  private static boolean isUnavailable(String sqlState) {
    return sqlState != null && (sqlState.startsWith("08") || SERVER_GOING_AWAY.contains(sqlState));
  }
}
