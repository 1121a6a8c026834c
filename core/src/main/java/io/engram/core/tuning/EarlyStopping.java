package io.engram.core.tuning;

import io.engram.core.training.TrainingSettings;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * When a search starts no more trials: a pure function of the study's trials and the time spent, so
 * a workflow can pass {@code Workflow.currentTimeMillis()} minus its start and get the same answer
 * on replay. The rules, checked in this order:
 *
 * <ol>
 *   <li>{@code n_trials}: {@code trials} trials exist (running ones included: they were started).
 *   <li>{@code time_budget}: {@code elapsed} has reached {@code timeBudget}.
 *   <li>{@code patience}: at least {@code minTrials} trials have finished and the last {@code
 *       patience} of them (in trial-number order; pruned and failed ones count) brought no
 *       improvement of at least {@code minImprovement} over the best value as of the last
 *       improvement. The first completed trial is an improvement; with {@code minImprovement} 0 any
 *       strictly better value is one.
 * </ol>
 *
 * <p>A "stop" means start nothing new: trials already running are still told their result.
 *
 * @param trials most trials of one search
 * @param patience finished trials without improvement after which the search stops
 * @param minTrials finished trials before {@code patience} may stop the search
 * @param minImprovement the smallest gain that counts as an improvement
 * @param timeBudget the longest a search starts new trials
 */
public record EarlyStopping(
    int trials, int patience, int minTrials, double minImprovement, Duration timeBudget) {

  public EarlyStopping {
    if (trials < 1 || patience < 1 || minTrials < 0 || !(minImprovement >= 0)) {
      throw new IllegalArgumentException(
          "early stopping needs trials >= 1, patience >= 1, minTrials >= 0, minImprovement >= 0");
    }
    Objects.requireNonNull(timeBudget, "timeBudget");
  }

  /** The budgets of a profile's search settings. */
  public static EarlyStopping of(TrainingSettings.Search search) {
    return new EarlyStopping(
        search.trials(),
        search.patience(),
        search.minTrials(),
        search.minImprovement(),
        search.timeBudget());
  }

  /** Why a search stopped. */
  public enum Reason {
    N_TRIALS,
    TIME_BUDGET,
    PATIENCE;

    /** As stored with the study and shown to users: {@code n_trials}, {@code patience}, … */
    public String stored() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * @param reason null when the search goes on
   * @param detail a sentence for logs and the study's record
   */
  public record Verdict(Reason reason, String detail) {
    public static final Verdict CONTINUE = new Verdict(null, "continue");

    public boolean stop() {
      return reason != null;
    }
  }

  public Verdict check(Direction direction, List<Trial> all, Duration elapsed) {
    if (all.size() >= trials) {
      return new Verdict(Reason.N_TRIALS, all.size() + " of " + trials + " trials started");
    }
    if (elapsed.compareTo(timeBudget) >= 0) {
      return new Verdict(
          Reason.TIME_BUDGET, "time budget of " + timeBudget + " spent (" + elapsed + ")");
    }
    List<Trial> finished =
        all.stream()
            .filter(t -> t.state().finished())
            .sorted(Comparator.comparingInt(Trial::number))
            .toList();
    if (finished.size() < minTrials) {
      return Verdict.CONTINUE;
    }
    Double best = null;
    int lastImprovement = 0;
    for (int i = 0; i < finished.size(); i++) {
      Trial t = finished.get(i);
      if (t.state() != TrialState.COMPLETE) {
        continue;
      }
      double v = t.value();
      if (best == null || (direction.better(v, best) && Math.abs(v - best) >= minImprovement)) {
        best = v;
        lastImprovement = i + 1;
      }
    }
    int without = finished.size() - lastImprovement;
    if (without >= patience) {
      return new Verdict(
          Reason.PATIENCE,
          without
              + " finished trials without an improvement of "
              + minImprovement
              + (best == null ? " (none completed)" : " over " + best));
    }
    return Verdict.CONTINUE;
  }
}
