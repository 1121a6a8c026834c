package io.engram.workflows.memory;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.time.Duration;
import java.util.List;

/**
 * Batch SQL of the maintenance jobs. Each method works in batches of its own, commits each batch
 * and heartbeats between them; every batch is safe to repeat, so a retry after a crash only redoes
 * what had not committed.
 */
@ActivityInterface
public interface MaintenanceActivities {

  /**
   * Folds the citations buffered up to {@code nowMillis} into the facts' counters and salience.
   * Each buffered citation is deleted in the statement that counts it, so it counts once.
   */
  @ActivityMethod
  CitationFlush flushCitations(long nowMillis);

  /**
   * Decays every active fact's salience to {@code nowMillis}. Exponential decay composes, so a
   * repeated pass changes nothing. Returns the number of facts decayed.
   */
  @ActivityMethod
  long decaySalience(long nowMillis);

  /**
   * Deletes episodic facts expired at {@code nowMillis} (counting them per day) and turns of closed
   * sessions that no fact names any more. A repeated pass finds nothing left to delete.
   */
  @ActivityMethod
  TtlCleanup deleteExpired(long nowMillis);

  /** Open sessions idle since before {@code nowMillis - idle}, longest idle first. Read-only. */
  @ActivityMethod
  List<String> idleSessions(long nowMillis, Duration idle, int limit);

  /**
   * Open sessions idle since before {@code nowMillis - idle}, ordered by their last activity and
   * then their id, strictly after {@code after} in that order (from the first when it is null), at
   * most {@code limit}. The page's {@link IdleSessionPage#last()} is the {@code after} of the next
   * page, so each page holds sessions not read before, whatever the pages before left open.
   * Read-only.
   */
  @ActivityMethod
  IdleSessionPage idleSessionsAfter(
      long nowMillis, Duration idle, int limit, IdleSessionCursor after);

  /**
   * Closes a session and releases its distilled turns, keeping those facts name as their source.
   * Idempotent: closing a closed session releases what is left and reports {@code closed=false}.
   */
  @ActivityMethod
  SessionClosed closeSession(String sessionId, long nowMillis);
}
