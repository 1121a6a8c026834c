package io.engram.workflows.training;

/**
 * Whether a retraining runs, why, and with what.
 *
 * @param job what the run works on; its labelled set is null when there is none to train on (then
 *     {@code retrain} is false and the reason says so)
 * @param budget the profile's search budget
 */
public record RetrainingDecision(boolean retrain, RetrainingJob job, SearchBudget budget) {

  /**
   * How hard the search tries (the profile's, see {@code TrainingSettings.Search}).
   *
   * @param trials most trials
   * @param parallelism trials evaluated at once
   * @param timeBudgetMillis the longest the search starts new trials
   */
  public record SearchBudget(int trials, int parallelism, long timeBudgetMillis) {}
}
