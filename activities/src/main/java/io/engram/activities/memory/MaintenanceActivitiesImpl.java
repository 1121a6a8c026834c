package io.engram.activities.memory;

import io.engram.core.memory.IdleSession;
import io.engram.core.memory.MemoryMaintenance;
import io.engram.workflows.memory.CitationFlush;
import io.engram.workflows.memory.IdleSessionCursor;
import io.engram.workflows.memory.IdleSessionPage;
import io.engram.workflows.memory.MaintenanceActivities;
import io.engram.workflows.memory.SessionClosed;
import io.engram.workflows.memory.TtlCleanup;
import io.temporal.activity.Activity;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

/**
 * Thin adapter from {@link MaintenanceActivities} to {@link MemoryMaintenance}: loops over batches,
 * each its own transaction, and heartbeats between them so a killed worker is noticed within the
 * heartbeat timeout; a retry redoes only what had not committed.
 */
public class MaintenanceActivitiesImpl implements MaintenanceActivities {
  /** Batches per activity call before it returns; a bound against a runaway loop. */
  static final int MAX_BATCHES = 10_000;

  private final MemoryMaintenance maintenance;
  private final MemoryMetrics metrics;
  private final int batchSize;

  public MaintenanceActivitiesImpl(
      MemoryMaintenance maintenance, MemoryMetrics metrics, int batchSize) {
    this.maintenance = maintenance;
    this.metrics = metrics;
    this.batchSize = batchSize;
  }

  @Override
  public CitationFlush flushCitations(long nowMillis) {
    Instant now = Instant.ofEpochMilli(nowMillis);
    long episodic = 0;
    long semantic = 0;
    Batches citations = new Batches(0);
    MemoryMaintenance.FlushResult r;
    do {
      r = maintenance.flushCitations(now, batchSize);
      episodic += r.episodicFacts();
      semantic += r.semanticFacts();
    } while (citations.another(r.citations()));
    return new CitationFlush(citations.handled(), episodic, semantic);
  }

  @Override
  public long decaySalience(long nowMillis) {
    Instant now = Instant.ofEpochMilli(nowMillis);
    Batches decayed = new Batches(0);
    long cursor = 0;
    List<Long> ids;
    do {
      ids = maintenance.decay(now, cursor, batchSize);
      cursor = ids.isEmpty() ? cursor : ids.get(ids.size() - 1);
    } while (decayed.another(ids.size()));
    return decayed.handled();
  }

  @Override
  public TtlCleanup deleteExpired(long nowMillis) {
    Instant now = Instant.ofEpochMilli(nowMillis);
    Batches expired = new Batches(0);
    int n;
    do {
      n = maintenance.deleteExpired(now, batchSize);
      metrics.facts("expired", n);
    } while (expired.another(n));
    Batches released = new Batches(expired.handled());
    long turns;
    do {
      turns = maintenance.releaseOrphanTurns(batchSize);
    } while (released.another(turns));
    return new TtlCleanup(expired.handled(), released.handled());
  }

  @Override
  public List<String> idleSessions(long nowMillis, Duration idle, int limit) {
    return maintenance.idleSessions(Instant.ofEpochMilli(nowMillis), idle, limit).stream()
        .map(UUID::toString)
        .toList();
  }

  @Override
  public IdleSessionPage idleSessionsAfter(
      long nowMillis, Duration idle, int limit, IdleSessionCursor after) {
    IdleSession from =
        after == null
            ? null
            : new IdleSession(
                SessionIds.parse(after.sessionId()),
                Instant.EPOCH.plus(after.lastActiveMicros(), ChronoUnit.MICROS));
    List<IdleSession> page =
        maintenance.idleSessionsAfter(Instant.ofEpochMilli(nowMillis), idle, limit, from);
    if (page.isEmpty()) {
      return new IdleSessionPage(List.of(), after);
    }
    IdleSession last = page.get(page.size() - 1);
    return new IdleSessionPage(
        page.stream().map(s -> s.id().toString()).toList(),
        new IdleSessionCursor(
            ChronoUnit.MICROS.between(Instant.EPOCH, last.lastActiveAt()), last.id().toString()));
  }

  @Override
  public SessionClosed closeSession(String sessionId, long nowMillis) {
    MemoryMaintenance.Closed closed =
        maintenance.closeSession(SessionIds.parse(sessionId), Instant.ofEpochMilli(nowMillis));
    return new SessionClosed(closed.closed(), closed.turnsReleased());
  }

  /**
   * One loop of batches: each batch is counted and heartbeats the activity's progress so far, and
   * another follows while batches come back full, up to {@link #MAX_BATCHES}.
   */
  private final class Batches {
    private final long before;
    private long handled;
    private int batches;

    /**
     * @param before progress already reported by an earlier loop of the same activity
     */
    Batches(long before) {
      this.before = before;
    }

    /** Counts a batch that handled {@code n} items; true when another batch should follow. */
    boolean another(long n) {
      handled += n;
      batches++;
      Activity.getExecutionContext().heartbeat(before + handled);
      return n >= batchSize && batches < MAX_BATCHES;
    }

    long handled() {
      return handled;
    }
  }
}
