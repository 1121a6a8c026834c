package io.engram.workflows.training;

/**
 * How one trial ended.
 *
 * @param number the trial's number in its study
 * @param state {@code complete}, {@code pruned} or {@code failed}
 * @param value its last reported objective; null when it failed before any
 * @param costSeconds how long it took
 * @param best the study's best objective after it; null before any trial completed
 */
public record TrialResult(int number, String state, Double value, double costSeconds, Double best) {
  public static final String PRUNED = "pruned";
}
