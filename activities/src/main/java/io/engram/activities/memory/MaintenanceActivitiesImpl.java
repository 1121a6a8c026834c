package io.engram.activities.memory;

import io.engram.core.memory.MemoryMaintenance;
import io.engram.workflows.common.FailureTypes;
import io.engram.workflows.memory.CitationFlush;
import io.engram.workflows.memory.MaintenanceActivities;
import io.engram.workflows.memory.SessionClosed;
import io.engram.workflows.memory.TtlCleanup;
import io.temporal.activity.Activity;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.time.Instant;
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
    long citations = 0;
    long episodic = 0;
    long semantic = 0;
    for (int i = 0; i < MAX_BATCHES; i++) {
      MemoryMaintenance.FlushResult r = maintenance.flushCitations(now, batchSize);
      citations += r.citations();
      episodic += r.episodicFacts();
      semantic += r.semanticFacts();
      heartbeat(citations);
      if (r.citations() < batchSize) {
        break;
      }
    }
    return new CitationFlush(citations, episodic, semantic);
  }

  @Override
  public long decaySalience(long nowMillis) {
    Instant now = Instant.ofEpochMilli(nowMillis);
    long decayed = 0;
    long cursor = 0;
    for (int i = 0; i < MAX_BATCHES; i++) {
      List<Long> ids = maintenance.decay(now, cursor, batchSize);
      decayed += ids.size();
      heartbeat(decayed);
      if (ids.size() < batchSize) {
        break;
      }
      cursor = ids.get(ids.size() - 1);
    }
    return decayed;
  }

  @Override
  public TtlCleanup deleteExpired(long nowMillis) {
    Instant now = Instant.ofEpochMilli(nowMillis);
    long expired = 0;
    long released = 0;
    for (int i = 0; i < MAX_BATCHES; i++) {
      int n = maintenance.deleteExpired(now, batchSize);
      expired += n;
      metrics.facts("expired", n);
      heartbeat(expired);
      if (n < batchSize) {
        break;
      }
    }
    for (int i = 0; i < MAX_BATCHES; i++) {
      long n = maintenance.releaseOrphanTurns(batchSize);
      released += n;
      heartbeat(expired + released);
      if (n < batchSize) {
        break;
      }
    }
    return new TtlCleanup(expired, released);
  }

  @Override
  public List<String> idleSessions(long nowMillis, Duration idle, int limit) {
    return maintenance.idleSessions(Instant.ofEpochMilli(nowMillis), idle, limit).stream()
        .map(UUID::toString)
        .toList();
  }

  @Override
  public SessionClosed closeSession(String sessionId, long nowMillis) {
    UUID id;
    try {
      id = UUID.fromString(sessionId);
    } catch (IllegalArgumentException e) {
      throw ApplicationFailure.newNonRetryableFailure(
          "malformed session id " + sessionId, FailureTypes.UNKNOWN_SESSION);
    }
    MemoryMaintenance.Closed closed = maintenance.closeSession(id, Instant.ofEpochMilli(nowMillis));
    return new SessionClosed(closed.closed(), closed.turnsReleased());
  }

  private static void heartbeat(long progress) {
    Activity.getExecutionContext().heartbeat(progress);
  }
}
