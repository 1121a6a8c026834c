package io.engram.core.tuning;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Optuna's {@code MedianPruner}: a trial is pruned at a step when its best intermediate value so
 * far is worse than the median of the completed trials' values at that step.
 *
 * <p>As in Optuna: nothing is pruned before {@code startupTrials} trials have completed, nor before
 * step {@code warmupSteps}; checks happen every {@code intervalSteps} steps after the warm-up; a
 * step with fewer than {@code minTrials} completed trials reporting a value is not judged; the
 * median of an even count is the mean of the middle two (numpy's linear percentile). One difference
 * of form: the caller names the step being judged, and only values up to it count, so a retried
 * check gives the answer the first one gave (Optuna judges the trial's last step).
 *
 * @param startupTrials completed trials before pruning starts (Optuna: 5)
 * @param warmupSteps the first step at which a trial may be pruned (Optuna: 0)
 * @param intervalSteps steps between checks after the warm-up (Optuna: 1)
 * @param minTrials completed trials that must have reported the step for it to be judged (Optuna:
 *     1)
 */
public record MedianPruner(int startupTrials, int warmupSteps, int intervalSteps, int minTrials) {
  public MedianPruner {
    if (startupTrials < 0 || warmupSteps < 0 || intervalSteps < 1 || minTrials < 1) {
      throw new IllegalArgumentException(
          "median pruner needs startupTrials >= 0, warmupSteps >= 0, intervalSteps >= 1,"
              + " minTrials >= 1");
    }
  }

  public static MedianPruner defaults() {
    return new MedianPruner(5, 0, 1, 1);
  }

  /**
   * Whether {@code trial} should stop at {@code step}.
   *
   * @param trials the study's trials (only completed ones, other than {@code trial}, are compared)
   */
  public boolean prune(Direction direction, List<Trial> trials, Trial trial, int step) {
    List<Trial> completed =
        trials.stream()
            .filter(t -> t.state() == TrialState.COMPLETE && t.number() != trial.number())
            .toList();
    if (completed.isEmpty() || completed.size() < startupTrials) {
      return false;
    }
    if (!trial.intermediate().containsKey(step) || step < warmupSteps) {
      return false;
    }
    Map<Integer, Double> upToStep = trial.intermediate().headMap(step + 1);
    if (!firstInInterval(step, upToStep)) {
      return false;
    }
    double best = Double.NaN;
    for (double v : upToStep.values()) {
      if (!Double.isNaN(v) && (Double.isNaN(best) || direction.better(v, best))) {
        best = v;
      }
    }
    if (Double.isNaN(best)) {
      return true;
    }
    List<Double> atStep = new ArrayList<>();
    for (Trial t : completed) {
      Double v = t.intermediate().get(step);
      if (v != null) {
        atStep.add(v);
      }
    }
    if (atStep.size() < minTrials) {
      return false;
    }
    double median = percentile(atStep, 50);
    if (Double.isNaN(median)) {
      return false;
    }
    return direction.better(median, best);
  }

  /** Whether no earlier step of the trial fell in the same check interval as {@code step}. */
  private boolean firstInInterval(int step, Map<Integer, Double> upToStep) {
    int nearestLowerCheck = (step - warmupSteps) / intervalSteps * intervalSteps + warmupSteps;
    int secondLast = -1;
    for (int s : upToStep.keySet()) {
      if (s != step && s > secondLast) {
        secondLast = s;
      }
    }
    return secondLast < nearestLowerCheck;
  }

  /** numpy's {@code nanpercentile} with linear interpolation. */
  static double percentile(List<Double> values, double q) {
    double[] v = values.stream().filter(x -> !Double.isNaN(x)).mapToDouble(x -> x).toArray();
    if (v.length == 0) {
      return Double.NaN;
    }
    Arrays.sort(v);
    double index = (v.length - 1) * q / 100.0;
    int lo = (int) Math.floor(index);
    int hi = (int) Math.ceil(index);
    return v[lo] + (v[hi] - v[lo]) * (index - lo);
  }
}
