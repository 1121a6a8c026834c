package io.engram.core.memory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/** Counts per memory tier and lifecycle events per day, for operators. */
public final class MemoryStats {

  /**
   * A snapshot.
   *
   * @param openSessions sessions not closed yet (working memory)
   * @param turns turns held in working memory
   * @param episodicActive episodic facts in their validity window and lifetime
   * @param episodicSuperseded episodic facts replaced by a newer one, kept for audit
   * @param semantic semantic facts still valid
   * @param pendingCitations citations buffered for the next flush
   * @param days the last days, oldest first, with their event counts
   */
  public record Snapshot(
      long openSessions,
      long turns,
      long episodicActive,
      long episodicSuperseded,
      long semantic,
      long pendingCitations,
      List<Day> days) {}

  /** Lifecycle events of one UTC day. */
  public record Day(
      LocalDate day, long distilled, long merged, long superseded, long promoted, long expired) {}

  private final DataSource dataSource;

  public MemoryStats(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  public Snapshot snapshot(Instant now, int days) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      long[] counts = new long[6];
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT (SELECT count(*) FROM sessions WHERE closed_at IS NULL),"
                  + " (SELECT count(*) FROM turns),"
                  + " (SELECT count(*) FROM episodic_facts WHERE valid_to IS NULL AND expires_at > ?),"
                  + " (SELECT count(*) FROM episodic_facts WHERE valid_to IS NOT NULL),"
                  + " (SELECT count(*) FROM semantic_facts WHERE valid_to IS NULL),"
                  + " (SELECT count(*) FROM fact_citations)")) {
        ps.setObject(1, MemorySql.ts(now));
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          for (int i = 0; i < counts.length; i++) {
            counts[i] = rs.getLong(i + 1);
          }
        }
      }
      LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
      LocalDate first = today.minusDays(days - 1L);
      Map<LocalDate, Map<String, Long>> events = new LinkedHashMap<>();
      for (LocalDate d = first; !d.isAfter(today); d = d.plusDays(1)) {
        events.put(d, new LinkedHashMap<>());
      }
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT day, kind, count FROM memory_events WHERE day BETWEEN ? AND ?")) {
        ps.setObject(1, first);
        ps.setObject(2, today);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            events.get(rs.getObject(1, LocalDate.class)).put(rs.getString(2), rs.getLong(3));
          }
        }
      }
      List<Day> perDay = new ArrayList<>();
      events.forEach(
          (day, kinds) ->
              perDay.add(
                  new Day(
                      day,
                      kinds.getOrDefault("distilled", 0L),
                      kinds.getOrDefault("merged", 0L),
                      kinds.getOrDefault("superseded", 0L),
                      kinds.getOrDefault("promoted", 0L),
                      kinds.getOrDefault("expired", 0L))));
      return new Snapshot(
          counts[0], counts[1], counts[2], counts[3], counts[4], counts[5], List.copyOf(perDay));
    }
  }
}
