package io.engram.core.memory;

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
import org.jdbi.v3.core.Handle;
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

  /** Changes up to {@code limit} of a user's rows of one table, in the caller's transaction. */
  @FunctionalInterface
  private interface BatchChange {
    int apply(Handle h, String tenant, String userId, int limit);
  }

  /** The kinds anonymized, in order, by table name. */
  private static final Map<String, BatchChange> ANONYMIZED = anonymizedInOrder();

  /** The kinds deleted, in order (after those anonymized), by table name. */
  private static final Map<String, BatchChange> DELETED = deletedInOrder();

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
    return List.copyOf(ANONYMIZED.keySet());
  }

  /** The tables whose rows of the user are deleted, in order. */
  public static List<String> deletedKinds() {
    return List.copyOf(DELETED.keySet());
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
    String t = tenant.id();
    repeat(
        (h, owner, user, limit) -> Sessions.closeOfUser(h, owner, user, clock.instant(), limit),
        t,
        userId);
    Map<String, Long> anonymized = new LinkedHashMap<>();
    ANONYMIZED.forEach((kind, change) -> anonymized.put(kind, repeat(change, t, userId)));
    Map<String, Long> deleted = new LinkedHashMap<>();
    DELETED.forEach(
        (kind, change) -> {
          if (kind.equals("sessions")) {
            // Again, last before the sessions go: a question answered before they were closed
            // may have been logged since (the log is written after the answer). Once they are
            // gone, a query logged for one of them keeps neither its text nor its link.
            ANONYMIZED.forEach(
                (again, anonymize) ->
                    anonymized.merge(again, repeat(anonymize, t, userId), Long::sum));
          }
          deleted.put(kind, repeat(change, t, userId));
        });
    return new Forgotten(anonymized, deleted);
  }

  /** Runs {@code change} a batch per transaction until it changes nothing; the rows it changed. */
  private long repeat(BatchChange change, String tenant, String userId) {
    long total = 0;
    while (true) {
      int n = jdbi.inTransaction(h -> change.apply(h, tenant, userId, batch));
      if (n == 0) {
        return total;
      }
      total += n;
    }
  }

  private static Map<String, BatchChange> anonymizedInOrder() {
    Map<String, BatchChange> kinds = new LinkedHashMap<>();
    // Feedback first: it is found through the session link the query log's anonymizing drops.
    kinds.put("feedback", Feedback::anonymizeOfUser);
    kinds.put("query_log", QueryLog::anonymizeOfUser);
    return Collections.unmodifiableMap(kinds);
  }

  private static Map<String, BatchChange> deletedInOrder() {
    Map<String, BatchChange> kinds = new LinkedHashMap<>();
    kinds.put("rollout_assignments", RolloutAssignments::deleteOfUser);
    kinds.put("fact_citations", FactCitations::deleteOfUser);
    // While the facts are there to find their texts by.
    kinds.put("embedding_cache", CachedEmbedder::deleteOfUserFacts);
    // Before semantic facts: a fact promoted meanwhile moves out of episodic memory into semantic
    // memory, where the next kind finds it.
    kinds.put("episodic_facts", EpisodicMemory::deleteOfUser);
    kinds.put("semantic_facts", SemanticMemory::deleteOfUser);
    kinds.put("distillation_batches", DistillationBatches::deleteOfUser);
    kinds.put("distillation_state", DistillationState::deleteOfUser);
    kinds.put("turns", Turns::deleteOfUser);
    kinds.put("sessions", Sessions::deleteOfUser);
    return Collections.unmodifiableMap(kinds);
  }
}
