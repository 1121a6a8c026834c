package io.engram.core.training;

import io.engram.core.memory.MemorySettings.JobSchedule;
import java.time.Duration;
import java.util.Objects;

/**
 * How the model lifecycle retrains, gates and watches for drift. The budgets differ by profile
 * ({@code defaults.properties}): a laptop searches a little, production a lot and on a schedule.
 *
 * @param search how hard a retraining searches
 * @param triggers when a retraining that was not forced has a reason to run
 * @param gates what a candidate must show to be staged
 * @param drift how live queries are compared with the ones the champion was fitted on
 * @param retrainSchedule when the scheduled retraining runs (cron, UTC)
 * @param driftSchedule when the scheduled drift check runs (cron, UTC)
 * @param retentionSchedule when the indexes versions lost rollouts with are dropped, once their
 *     retention ({@code ENGRAM_ROLLOUT_RETENTION}) has passed (cron, UTC)
 * @param force whether every retraining runs whatever the decision ({@code ENGRAM_RETRAIN_FORCE})
 */
public record TrainingSettings(
    Search search,
    Triggers triggers,
    Gates gates,
    Drift drift,
    JobSchedule retrainSchedule,
    JobSchedule driftSchedule,
    JobSchedule retentionSchedule,
    boolean force) {

  /** Which parameters a search may change. */
  public enum Space {
    /** Retrieval and reranker settings only: trials reuse the champion's vectors. */
    RETRIEVAL,
    /**
     * Also the embedding model and chunking: a trial may need an index built beside the champion.
     * Not supported yet: refused when configured.
     */
    FULL
  }

  /**
   * @param trials most trials of one search
   * @param patience trials without an improvement of at least {@code minImprovement} after which
   *     the search stops (once it has run {@code minTrials})
   * @param minTrials trials run before early stopping may stop the search
   * @param minImprovement the smallest gain in the objective (NDCG@10 on the fitting part) that
   *     counts as an improvement
   * @param timeBudget the longest a search runs; trials started later are not started
   * @param parallelism trials evaluated at once
   * @param space which parameters the search may change
   */
  public record Search(
      int trials,
      int patience,
      int minTrials,
      double minImprovement,
      Duration timeBudget,
      int parallelism,
      Space space) {
    public Search {
      if (trials < 1 || patience < 1 || minTrials < 1 || parallelism < 1) {
        throw new IllegalArgumentException("search budgets must be positive");
      }
      if (minTrials > trials) {
        throw new IllegalArgumentException(
            "ENGRAM_RETRAIN_MIN_TRIALS must not exceed ENGRAM_RETRAIN_TRIALS");
      }
      Objects.requireNonNull(timeBudget, "timeBudget");
      Objects.requireNonNull(space, "space");
      if (space == Space.FULL) {
        // Refused at start rather than accepted and ignored.
        throw new IllegalArgumentException(
            "ENGRAM_RETRAIN_SPACE=full (searching the embedding model and chunking) is not"
                + " supported yet; use retrieval");
      }
    }
  }

  /**
   * @param maxAge a champion older than this is retrained; null: age is no reason
   * @param degradation a champion whose NDCG@10 on the labelled set fell by more than this share is
   *     retrained; null: no degradation check
   * @param newFeedback this many feedback rows since the champion was registered are a reason; 0:
   *     none
   */
  public record Triggers(Duration maxAge, Double degradation, int newFeedback) {}

  /**
   * @param minNdcg the absolute floor of NDCG@10 on the held-out part
   * @param epsilon how much worse than the champion a candidate may be on any stored eval set
   * @param minImprovement how much better than the champion it must be on the primary set
   * @param p95BudgetMs the most its retrieval p95 latency may be, in milliseconds
   */
  public record Gates(double minNdcg, double epsilon, double minImprovement, double p95BudgetMs) {}

  /**
   * @param window the recent live queries compared (the last N {@code POST /v1/query} calls)
   * @param minSample fewer queries than this in either window is "insufficient data"
   * @param psiStable PSI below this is stable
   * @param psiDrift PSI above this is drift
   * @param ksAlpha significance of the two-sample Kolmogorov-Smirnov test
   */
  public record Drift(
      int window, int minSample, double psiStable, double psiDrift, double ksAlpha) {
    public Drift {
      if (minSample > window) {
        throw new IllegalArgumentException(
            "ENGRAM_DRIFT_MIN_SAMPLE must not exceed ENGRAM_DRIFT_WINDOW");
      }
      if (!(psiStable < psiDrift)) {
        throw new IllegalArgumentException(
            "ENGRAM_DRIFT_PSI_STABLE must be below ENGRAM_DRIFT_PSI_DRIFT");
      }
    }
  }
}
