package io.engram.core.memory;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/**
 * Counts per memory tier and lifecycle events per day, for operators: each memory table's owner
 * counts its rows.
 */
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

  private final Jdbi jdbi;

  public MemoryStats(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  public Snapshot snapshot(Instant now, int days) {
    LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
    // One snapshot for every count, as a single statement would see them.
    return jdbi.inTransaction(
        TransactionIsolationLevel.REPEATABLE_READ,
        h -> {
          EpisodicMemory.Counts episodic = EpisodicMemory.counts(h, now);
          List<Day> perDay = new ArrayList<>();
          MemoryEvents.perDay(h, today.minusDays(days - 1L), today)
              .forEach((day, kinds) -> perDay.add(day(day, kinds)));
          return new Snapshot(
              Sessions.openCount(h),
              Turns.count(h),
              episodic.active(),
              episodic.superseded(),
              SemanticMemory.validCount(h),
              FactCitations.pendingCount(h),
              List.copyOf(perDay));
        });
  }

  private static Day day(LocalDate day, Map<String, Long> kinds) {
    return new Day(
        day,
        kinds.getOrDefault("distilled", 0L),
        kinds.getOrDefault("merged", 0L),
        kinds.getOrDefault("superseded", 0L),
        kinds.getOrDefault("promoted", 0L),
        kinds.getOrDefault("expired", 0L));
  }
}
