package io.engram.core.db;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;

/** Column reads the table owners' row mappers share. */
public final class Columns {
  private Columns() {}

  /** A {@code timestamptz} column as an instant; null when the column is null. */
  public static Instant instant(ResultSet rs, int column) throws SQLException {
    return instant(rs.getObject(column, OffsetDateTime.class));
  }

  /** A {@code timestamptz} column, by name, as an instant; null when the column is null. */
  public static Instant instant(ResultSet rs, String column) throws SQLException {
    return instant(rs.getObject(column, OffsetDateTime.class));
  }

  private static Instant instant(OffsetDateTime value) {
    return value == null ? null : value.toInstant();
  }
}
