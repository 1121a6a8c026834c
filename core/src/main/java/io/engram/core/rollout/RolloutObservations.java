package io.engram.core.rollout;

import io.engram.core.db.BatchedChange;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * What each query routed during a rollout showed ({@code rollout_observations}), and the figures
 * the rollout is judged on: per arm, and for interleaved queries the clicks credited to each arm.
 * The one class that writes it.
 */
public final class RolloutObservations {

  /**
   * One routed query.
   *
   * @param queryId the logged query; null when it failed before it was logged
   * @param latencyMs the arm's latency; for a shadow comparison the candidate's
   * @param baselineMs shadow only: the champion's latency on the same query, measured beside it
   * @param overlap shadow only: shared documents of the two top-10s over 10
   */
  public record Observation(
      long rolloutId,
      String arm,
      UUID queryId,
      Double latencyMs,
      Double baselineMs,
      boolean error,
      boolean empty,
      Double overlap) {}

  /**
   * One arm's figures over a window.
   *
   * @param queries queries routed to it (for shadow: comparisons)
   * @param errors those that failed
   * @param empty those that returned no document
   * @param p95Ms p95 latency of those that did not fail; null without any
   * @param baselineP95Ms shadow only: the champion's p95 on the same queries
   * @param overlap shadow only: the mean overlap of the two top-10s
   */
  public record ArmStats(
      String arm,
      long queries,
      long errors,
      long empty,
      Double p95Ms,
      Double baselineP95Ms,
      Double overlap) {

    public static ArmStats none(String arm) {
      return new ArmStats(arm, 0, 0, 0, null, null, null);
    }

    public double errorRate() {
      return queries == 0 ? 0 : (double) errors / queries;
    }

    public double emptyRate() {
      long answered = queries - errors;
      return answered <= 0 ? 0 : (double) empty / answered;
    }
  }

  /**
   * The interleaved comparisons: queries where clicks favoured the candidate (wins), the champion
   * (losses) or neither (ties), and interleaved queries without any click.
   */
  public record Comparisons(long wins, long losses, long ties, long interleaved) {
    public long decisive() {
      return wins + losses;
    }
  }

  /**
   * Clicks per served arm: queries logged, those with at least one click on a source (feedback with
   * a source and a rating of 0 or 1), and answer ratings (feedback without a source).
   */
  public record Clicks(String arm, long queries, long clicked, long thumbsUp, long thumbsDown) {
    public double clickRate() {
      return queries == 0 ? 0 : (double) clicked / queries;
    }
  }

  private final Jdbi jdbi;

  public RolloutObservations(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /**
   * Stores observations in one batch (the router flushes what it gathered off the request path).
   */
  public void record(Collection<Observation> observations) {
    if (observations.isEmpty()) {
      return;
    }
    jdbi.useHandle(
        h -> {
          PreparedBatch batch =
              h.prepareBatch(
                  "INSERT INTO rollout_observations (rollout_id, arm, query_id, latency_ms,"
                      + " baseline_ms, error, empty, overlap) VALUES (:rolloutId, :arm, :queryId,"
                      + " :latencyMs, :baselineMs, :error, :empty, :overlap)");
          for (Observation o : observations) {
            batch.bindMethods(o).add();
          }
          batch.execute();
        });
  }

  /**
   * Each arm's figures since the rollout's current phase began ({@code rollouts.phase_started_at}),
   * keyed by arm; an arm without observations has {@link ArmStats#none}.
   */
  public Map<String, ArmStats> currentPhase(long rolloutId) {
    return stats(rolloutId, true);
  }

  /** Each arm's figures over the whole rollout, keyed by arm. */
  public Map<String, ArmStats> wholeRollout(long rolloutId) {
    return stats(rolloutId, false);
  }

  private Map<String, ArmStats> stats(long rolloutId, boolean currentPhase) {
    Map<String, ArmStats> byArm = new LinkedHashMap<>();
    for (String arm : new String[] {Arm.CHAMPION, Arm.CANDIDATE, Arm.INTERLEAVED, Arm.SHADOW}) {
      byArm.put(arm, ArmStats.none(arm));
    }
    jdbi.useHandle(
        h ->
            h.createQuery(
                    "SELECT o.arm, count(*), count(*) FILTER (WHERE o.error),"
                        + " count(*) FILTER (WHERE o.empty AND NOT o.error),"
                        + " percentile_cont(0.95) WITHIN GROUP (ORDER BY o.latency_ms)"
                        + " FILTER (WHERE NOT o.error),"
                        + " percentile_cont(0.95) WITHIN GROUP (ORDER BY o.baseline_ms)"
                        + " FILTER (WHERE NOT o.error),"
                        + " avg(o.overlap) FROM rollout_observations o JOIN rollouts r"
                        + " ON r.id = o.rollout_id WHERE o.rollout_id = :rollout"
                        + " AND (NOT :currentPhase OR o.at >= r.phase_started_at)"
                        + " GROUP BY o.arm")
                .bind("rollout", rolloutId)
                .bind("currentPhase", currentPhase)
                .map(
                    (rs, ctx) ->
                        new ArmStats(
                            rs.getString(1),
                            rs.getLong(2),
                            rs.getLong(3),
                            rs.getLong(4),
                            rs.getObject(5, Double.class),
                            rs.getObject(6, Double.class),
                            rs.getObject(7, Double.class)))
                .forEach(s -> byArm.put(s.arm(), s)));
    return byArm;
  }

  /**
   * The rollout's interleaved comparisons so far. A click is feedback on a returned source: a
   * rating of 0 or 1 credits the arm that ranked the source, -1 debits it; a query is won by the
   * arm with more credit.
   */
  public Comparisons comparisons(long rolloutId) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "WITH credit AS ("
                        + " SELECT q.id, q.teams[array_position(q.top_sources, f.source)] AS team,"
                        + " CASE WHEN f.rating >= 0 THEN 1 ELSE -1 END AS credit"
                        + " FROM query_log q JOIN feedback f ON f.query_id = q.id"
                        + " WHERE q.rollout_id = :rollout AND q.arm = 'interleaved'"
                        + " AND f.source IS NOT NULL),"
                        + " per_query AS (SELECT id,"
                        + " sum(credit) FILTER (WHERE team = 'candidate') AS candidate,"
                        + " sum(credit) FILTER (WHERE team = 'champion') AS champion"
                        + " FROM credit WHERE team IS NOT NULL GROUP BY id)"
                        + " SELECT count(*) FILTER (WHERE coalesce(candidate, 0)"
                        + " > coalesce(champion, 0)),"
                        + " count(*) FILTER (WHERE coalesce(candidate, 0)"
                        + " < coalesce(champion, 0)),"
                        + " count(*) FILTER (WHERE coalesce(candidate, 0)"
                        + " = coalesce(champion, 0)),"
                        + " (SELECT count(*) FROM query_log WHERE rollout_id = :rollout"
                        + " AND arm = 'interleaved')"
                        + " FROM per_query")
                .bind("rollout", rolloutId)
                .map(
                    (rs, ctx) ->
                        new Comparisons(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)))
                .one());
  }

  /** Clicks and answer ratings per served arm over the whole rollout. */
  public Map<String, Clicks> clicks(long rolloutId) {
    Map<String, Clicks> byArm = new LinkedHashMap<>();
    jdbi.useHandle(
        h ->
            h.createQuery(
                    "SELECT q.arm, count(*),"
                        + " count(*) FILTER (WHERE EXISTS (SELECT 1 FROM feedback f"
                        + " WHERE f.query_id = q.id AND f.source IS NOT NULL AND f.rating >= 0)),"
                        + " count(*) FILTER (WHERE EXISTS (SELECT 1 FROM feedback f"
                        + " WHERE f.query_id = q.id AND f.source IS NULL AND f.rating = 1)),"
                        + " count(*) FILTER (WHERE EXISTS (SELECT 1 FROM feedback f"
                        + " WHERE f.query_id = q.id AND f.source IS NULL AND f.rating = -1))"
                        + " FROM query_log q WHERE q.rollout_id = :rollout GROUP BY q.arm"
                        + " ORDER BY q.arm")
                .bind("rollout", rolloutId)
                .map(
                    (rs, ctx) ->
                        new Clicks(
                            rs.getString(1),
                            rs.getLong(2),
                            rs.getLong(3),
                            rs.getLong(4),
                            rs.getLong(5)))
                .forEach(c -> byArm.put(c.arm(), c)));
    return byArm;
  }

  /**
   * Deletes a collection's rows of {@code rollout_observations} ({@link
   * io.engram.core.collection.CollectionDeletion}).
   */
  public static final BatchedChange<String> DELETE_OF_COLLECTION =
      BatchedChange.deleteOfCollection(
          "rollout_observations",
          "id",
          "SELECT o.id FROM rollouts r JOIN rollout_observations o ON"
              + " o.rollout_id = r.id WHERE r.collection = :key");
}
