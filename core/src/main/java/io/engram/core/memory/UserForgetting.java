package io.engram.core.memory;

import io.engram.core.db.BatchedChange;
import io.engram.core.db.BatchedChange.User;
import io.engram.core.embedding.CachedEmbedder;
import io.engram.core.querylog.Feedback;
import io.engram.core.querylog.QueryLog;
import io.engram.core.rollout.RolloutAssignments;
import io.engram.core.tenant.Tenant;
import java.time.Clock;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/**
 * Forgets one user of one tenant: everything Engram keeps of the user, table by table through each
 * table's owner, in bounded batches. The capability behind {@code DELETE /v1/users/{userId}/memory}
 * and {@code ./engram memory forget}.
 *
 * <p>First the user's open sessions are closed, so no question is taken in them while the rest
 * goes. Then, {@value #BATCH} rows per transaction until none is left: the comments of feedback on
 * the queries asked in the user's sessions and those queries' text and session link are anonymized
 * ({@link #anonymizedKinds()}); then rollout assignments, citations of the user's facts, the cached
 * vectors of their texts (written before distillation stopped caching them), episodic facts,
 * semantic facts (the user's, in any collection of the tenant), distillation records, turns and
 * last the sessions are deleted ({@link #deletedKinds()}), children before the rows they are found
 * through. Anonymizing keeps the logged queries' figures (model version, latency, sources, rollout
 * arm, drift features) and feedback ratings: drift windows and references, rollout comparisons and
 * retraining triggers are made of those rows, and none of what stays names or quotes the user.
 *
 * <p>Idempotent: a repeated call (or one after a call cut off half way) finds only what is left,
 * and a second complete call changes nothing. Tenant-safe: every statement names the tenant, so the
 * same user id in another tenant, another person, is never touched. Sessions without a user are
 * nobody's to forget, and a user id never matches them.
 *
 * <p>A question answered in one of the user's sessions just before they were closed is logged after
 * its answer: the log is anonymized once more just before the sessions are deleted, and a query
 * logged for a session that no longer exists keeps neither its text nor its link. A fact promoted
 * while the user's facts are deleted may land after them; a second call takes it.
 */
public final class UserForgetting {
  /** Rows one transaction changes at most. */
  public static final int BATCH = 1000;

  /** The kinds anonymized, in order. */
  private static final List<BatchedChange<User>> ANONYMIZED =
      List.of(
          // Feedback first: found through the session link the query log's anonymizing drops.
          Feedback.ANONYMIZE_OF_USER, QueryLog.ANONYMIZE_OF_USER);

  /** The kinds deleted, in order (after those anonymized). */
  private static final List<BatchedChange<User>> DELETED =
      List.of(
          RolloutAssignments.DELETE_OF_USER,
          FactCitations.DELETE_OF_USER,
          // While the facts are there to find their texts by.
          CachedEmbedder.DELETE_OF_USER_FACTS,
          // Before semantic facts: a fact promoted meanwhile moves out of episodic memory into
          // semantic memory, where the next kind finds it.
          EpisodicMemory.DELETE_OF_USER,
          SemanticMemory.DELETE_OF_USER,
          DistillationBatches.DELETE_OF_USER,
          DistillationState.DELETE_OF_USER,
          Turns.DELETE_OF_USER,
          Sessions.DELETE_OF_USER);

  /**
   * What forgetting a user changed.
   *
   * @param anonymized rows anonymized by table, in {@link #anonymizedKinds()} order
   * @param deleted rows deleted by table, in {@link #deletedKinds()} order
   */
  public record Forgotten(Map<String, Long> anonymized, Map<String, Long> deleted) {
    public Forgotten {
      anonymized = Collections.unmodifiableMap(new LinkedHashMap<>(anonymized));
      deleted = Collections.unmodifiableMap(new LinkedHashMap<>(deleted));
    }

    /** Whether anything was there to forget. */
    public boolean any() {
      return anonymized.values().stream().anyMatch(n -> n > 0)
          || deleted.values().stream().anyMatch(n -> n > 0);
    }
  }

  private final Jdbi jdbi;
  private final Clock clock;
  private final int batch;

  /**
   * @param clock when the user's sessions are closed
   * @param batch rows one transaction changes at most ({@link #BATCH}; tests take fewer)
   */
  public UserForgetting(Jdbi jdbi, Clock clock, int batch) {
    if (batch < 1) {
      throw new IllegalArgumentException("batch must be positive");
    }
    this.jdbi = jdbi;
    this.clock = clock;
    this.batch = batch;
  }

  /** The tables whose rows of the user are anonymized, in order. */
  public static List<String> anonymizedKinds() {
    return tables(ANONYMIZED);
  }

  /** The tables whose rows of the user are deleted, in order. */
  public static List<String> deletedKinds() {
    return tables(DELETED);
  }

  /**
   * Forgets {@code tenant}'s user {@code userId} as described above.
   *
   * @throws IllegalArgumentException when {@code userId} is null or blank
   */
  public Forgotten forget(Tenant tenant, String userId) {
    if (userId == null || userId.isBlank()) {
      throw new IllegalArgumentException("a user id must not be blank");
    }
    User user = new User(tenant.id(), userId);
    BatchedChange.repeat(
        jdbi, h -> Sessions.closeOfUser(h, tenant.id(), userId, clock.instant(), batch), n -> {});
    Map<String, Long> anonymized = new LinkedHashMap<>();
    ANONYMIZED.forEach(change -> anonymized.put(change.table(), repeat(change, user)));
    Map<String, Long> deleted = new LinkedHashMap<>();
    for (BatchedChange<User> change : DELETED) {
      if (change == Sessions.DELETE_OF_USER) {
        // Again, last before the sessions go: a question answered before they were closed may
        // have been logged since (the log is written after the answer). Once they are gone, a
        // query logged for one of them keeps neither its text nor its link.
        ANONYMIZED.forEach(
            again -> anonymized.merge(again.table(), repeat(again, user), Long::sum));
      }
      deleted.put(change.table(), repeat(change, user));
    }
    return new Forgotten(anonymized, deleted);
  }

  /** Runs {@code change} a batch per transaction until it changes nothing; the rows it changed. */
  private long repeat(BatchedChange<User> change, User user) {
    return BatchedChange.repeat(jdbi, h -> change.apply(h, user, batch), n -> {});
  }

  private static List<String> tables(List<BatchedChange<User>> changes) {
    return changes.stream().map(BatchedChange::table).toList();
  }
}
