package io.engram.core.memory;

import java.sql.Array;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.Handle;

/** SQL details shared by the memory tables' owners. */
final class MemorySql {
  private MemorySql() {}

  /**
   * Salience decayed from {@code salience_at} to the parameter {@code :now}, with the half-life in
   * seconds {@code :halfLife}.
   */
  static final String DECAYED =
      "(salience * power(0.5, greatest(0, extract(epoch FROM (:now::timestamptz - salience_at)))"
          + " / :halfLife))";

  static OffsetDateTime ts(Instant instant) {
    return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  /**
   * Instants as text for a {@code :param::timestamptz[]} cast: Jdbi has no SQL array type for
   * timestamps, and ISO-8601 text converts exactly.
   */
  static List<String> timestamps(List<Instant> instants) {
    return instants.stream().map(Instant::toString).toList();
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

  /**
   * An OR of the text's lexemes as a {@code to_tsquery('simple', …)} string, or empty when the text
   * has none: questions rarely contain every word of a stored fact, so an AND finds nothing.
   */
  static String orQuery(Handle h, String text) {
    List<String> lexemes =
        h.createQuery("SELECT unnest(tsvector_to_array(to_tsvector('english', :text)))")
            .bind("text", text)
            .map((rs, ctx) -> "'" + rs.getString(1).replace("\\", "\\\\").replace("'", "''") + "'")
            .list();
    return String.join(" | ", lexemes);
  }
}
