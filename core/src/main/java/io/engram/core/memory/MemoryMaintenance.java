package io.engram.core.memory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * The memory lifecycle jobs over the memory tables' owners: citation flush and salience decay, TTL
 * deletion, closing idle sessions, and promotion of strong episodic facts to semantic memory. Every
 * method takes {@code now} from its caller (a workflow's clock), commits per batch, and is safe to
 * retry: each batch is one transaction whose effects a second run does not repeat.
 */
public final class MemoryMaintenance {

  /** Citations folded into fact counters. */
  public record FlushResult(long citations, long episodicFacts, long semanticFacts) {}

  /**
   * One promotion batch.
   *
   * @param episodicIds the facts promoted (or, in a dry run, that would be)
   * @param semanticIds their new semantic ids (empty in a dry run)
   * @param lastId the cursor for the next batch
   * @param more whether the batch was full, so another may follow
   * @param replayed true when the batch had been committed before and this is its record
   */
  public record PromotionOutcome(
      List<Long> episodicIds,
      List<Long> semanticIds,
      long lastId,
      boolean more,
      boolean replayed) {}

  /** A closed session and how many of its turns were released. */
  public record Closed(boolean closed, long turnsReleased) {}

  private final Jdbi jdbi;
  private final MemorySettings settings;
  private final EpisodicMemory episodic;
  private final Sessions sessions;
  private final Turns turns;

  public MemoryMaintenance(Jdbi jdbi, MemorySettings settings) {
    this.jdbi = jdbi;
    this.settings = settings;
    this.episodic = new EpisodicMemory(jdbi, settings);
    this.sessions = new Sessions(jdbi);
    this.turns = new Turns(jdbi);
  }

  /**
   * Folds up to {@code limit} buffered citations made at or before {@code now} into their facts
   * (see {@link EpisodicMemory#cite} and {@link SemanticMemory#cite}), in one transaction that also
   * deletes them from the buffer, so a citation counts exactly once. Citations of an episodic fact
   * promoted in the meantime go to its semantic successor.
   */
  public FlushResult flushCitations(Instant now, int limit) {
    return jdbi.inTransaction(
        h -> {
          List<FactCitations.Counted> counted = FactCitations.take(h, now, limit);
          return new FlushResult(
              counted.stream().mapToLong(FactCitations.Counted::count).sum(),
              episodic.cite(h, counted, now),
              SemanticMemory.cite(h, counted, settings.citationBoost()));
        });
  }

  /**
   * Decays the salience of up to {@code limit} active facts with ids above {@code afterId} to
   * {@code now}: exponential with {@link MemorySettings#salienceHalfLife()} since the last update,
   * which a citation resets, so salience falls with the age since the last citation. Decay
   * composes, so running this more or less often gives the same values.
   *
   * @return the ids decayed, ascending (the last one is the cursor for the next call)
   */
  public List<Long> decay(Instant now, long afterId, int limit) {
    return episodic.decay(now, afterId, limit);
  }

  /**
   * Deletes up to {@code limit} episodic facts whose lifetime ended at or before {@code now}
   * (really deleted, superseded ones included) and counts them in the day's {@code expired} event,
   * in one transaction.
   *
   * @return how many were deleted
   */
  public int deleteExpired(Instant now, int limit) {
    return jdbi.inTransaction(
        h -> {
          int deleted = EpisodicMemory.deleteExpired(h, now, limit);
          MemoryEvents.add(h, "expired", deleted, now);
          return deleted;
        });
  }

  /** Open sessions inactive since before {@code now - idle}, longest idle first. */
  public List<UUID> idleSessions(Instant now, Duration idle, int limit) {
    return sessions.idle(now, idle, limit);
  }

  /**
   * Open sessions inactive since before {@code now - idle}, ordered by {@code (last_active_at, id)}
   * and strictly after {@code after} in that order (from the first when it is null), at most {@code
   * limit}. The last one of a page is where the next page starts, so a session left open does not
   * come back on every page.
   */
  public List<IdleSession> idleSessionsAfter(
      Instant now, Duration idle, int limit, IdleSession after) {
    return sessions.idleAfter(now, idle, limit, after);
  }

  /**
   * Closes a session and releases its working memory: its distilled turns are deleted except those
   * a stored fact names as its source (the lineage stays resolvable). Turns after the distillation
   * watermark are kept, so closing never loses what distillation has not taken yet. Idempotent.
   */
  public Closed closeSession(UUID sessionId, Instant now) {
    return jdbi.inTransaction(
        h -> {
          boolean closed = Sessions.close(h, sessionId, now);
          long released = Turns.releaseOf(h, sessionId);
          if (closed) {
            MemoryEvents.add(h, "sessions_closed", 1, now);
          }
          return new Closed(closed, released);
        });
  }

  /**
   * Releases turns of closed sessions that no fact names any more (their facts expired since the
   * session closed), at most {@code limit}.
   */
  public long releaseOrphanTurns(int limit) {
    return turns.releaseOfClosedSessions(limit);
  }

  /**
   * Promotes (or, for a dry run, lists) up to {@code criteria.batchSize()} episodic facts with ids
   * above {@code afterId} whose decayed salience, citations and age exceed the thresholds.
   *
   * <p>A real batch is one transaction: copy to {@code semantic_facts} ({@code INSERT … SELECT … ON
   * CONFLICT (episodic_fact_id) DO NOTHING}), delete from {@code episodic_facts}, record the batch
   * under {@code (runId, batchNo)} and count the day's promotions. A crash anywhere before the
   * commit leaves nothing behind, and running the same batch again returns its record, so a fact is
   * never lost nor duplicated.
   */
  public PromotionOutcome promoteBatch(
      String runId,
      int batchNo,
      long afterId,
      MemorySettings.Promotion criteria,
      Instant now,
      boolean dryRun) {
    if (dryRun) {
      List<Long> ids =
          jdbi.withHandle(h -> episodic.eligibleForPromotion(h, afterId, criteria, now, false));
      return outcome(ids, List.of(), afterId, criteria);
    }
    return jdbi.inTransaction(
        h -> {
          Optional<PromotionOutcome> recorded = PromotionBatches.recorded(h, runId, batchNo);
          if (recorded.isPresent()) {
            h.rollback();
            return recorded.get();
          }
          List<Long> ids = episodic.eligibleForPromotion(h, afterId, criteria, now, true);
          List<Long> semanticIds = new ArrayList<>();
          if (!ids.isEmpty()) {
            semanticIds.addAll(
                SemanticMemory.promote(
                    h, ids, runId + "#" + batchNo, now, settings.salienceHalfLife().toSeconds()));
            EpisodicMemory.delete(h, ids);
          }
          semanticIds.sort(null);
          PromotionOutcome outcome = outcome(ids, semanticIds, afterId, criteria);
          PromotionBatches.record(h, runId, batchNo, outcome, now);
          MemoryEvents.add(h, "promoted", semanticIds.size(), now);
          return outcome;
        });
  }

  /**
   * A batch that took {@code ids} (dry or real, not a replay): the next batch starts after its last
   * fact, or where this one started when it took none, and may follow only when this one was full.
   */
  private static PromotionOutcome outcome(
      List<Long> ids, List<Long> semanticIds, long afterId, MemorySettings.Promotion criteria) {
    return new PromotionOutcome(
        ids,
        semanticIds,
        ids.isEmpty() ? afterId : ids.get(ids.size() - 1),
        ids.size() == criteria.batchSize(),
        false);
  }
}
