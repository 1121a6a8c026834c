package io.engram.core.memory;

import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/** Counters of memory lifecycle events per UTC day and kind ({@code memory_events}). */
final class MemoryEvents {
  private MemoryEvents() {}

  private record Count(LocalDate day, String kind, long count) {}

  /** Adds {@code count} to the day's counter of {@code kind}, inside the caller's transaction. */
  static void add(Handle h, String kind, long count, Instant now) {
    if (count <= 0) {
      return;
    }
    h.createUpdate(
            "INSERT INTO memory_events (day, kind, count)"
                + " VALUES ((:now::timestamptz AT TIME ZONE 'UTC')::date, :kind, :count)"
                + " ON CONFLICT (day, kind) DO UPDATE SET count = memory_events.count + excluded.count")
        .bind("now", MemorySql.ts(now))
        .bind("kind", kind)
        .bind("count", count)
        .execute();
  }

  /**
   * The counters of the days {@code first} to {@code last}, oldest first, every day present (with
   * no kinds when nothing happened).
   */
  static Map<LocalDate, Map<String, Long>> perDay(Handle h, LocalDate first, LocalDate last) {
    Map<LocalDate, Map<String, Long>> days = new LinkedHashMap<>();
    for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
      days.put(d, new LinkedHashMap<>());
    }
    h.createQuery("SELECT day, kind, count FROM memory_events WHERE day BETWEEN :first AND :last")
        .bind("first", first)
        .bind("last", last)
        .map(
            (rs, ctx) ->
                new Count(rs.getObject(1, LocalDate.class), rs.getString(2), rs.getLong(3)))
        .forEach(c -> days.get(c.day()).put(c.kind(), c.count()));
    return days;
  }
}
