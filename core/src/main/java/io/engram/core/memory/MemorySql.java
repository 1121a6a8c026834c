package io.engram.core.memory;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** JDBC details shared by the memory stores. */
final class MemorySql {
  private MemorySql() {}

  /**
   * Salience decayed from {@code salience_at} to the first parameter, with the half-life second.
   */
  static final String DECAYED =
      "(salience * power(0.5, greatest(0, extract(epoch FROM (?::timestamptz - salience_at)))"
          + " / ?))";

  static OffsetDateTime ts(Instant instant) {
    return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  static Instant instant(ResultSet rs, int column) throws SQLException {
    OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }

  static Array longs(Connection c, List<Long> values) throws SQLException {
    return c.createArrayOf("bigint", values.toArray());
  }

  static List<Long> longs(Array array) throws SQLException {
    List<Long> out = new ArrayList<>();
    if (array == null) {
      return out;
    }
    for (Object o : (Object[]) array.getArray()) {
      out.add(((Number) o).longValue());
    }
    return out;
  }

  /** Adds {@code count} to the day's counter of {@code kind} (a lifecycle event for the stats). */
  static void addEvent(Connection c, String kind, long count, Instant now) throws SQLException {
    if (count <= 0) {
      return;
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO memory_events (day, kind, count)"
                + " VALUES ((?::timestamptz AT TIME ZONE 'UTC')::date, ?, ?)"
                + " ON CONFLICT (day, kind) DO UPDATE SET count = memory_events.count + excluded.count")) {
      ps.setObject(1, ts(now));
      ps.setString(2, kind);
      ps.setLong(3, count);
      ps.executeUpdate();
    }
  }

  /**
   * An OR of the text's lexemes as a {@code to_tsquery('simple', …)} string, or empty when the text
   * has none: questions rarely contain every word of a stored fact, so an AND finds nothing.
   */
  static String orQuery(Connection c, String text) throws SQLException {
    List<String> lexemes = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement("SELECT unnest(tsvector_to_array(to_tsvector('english', ?)))")) {
      ps.setString(1, text);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          lexemes.add("'" + rs.getString(1).replace("\\", "\\\\").replace("'", "''") + "'");
        }
      }
    }
    return String.join(" | ", lexemes);
  }
}
