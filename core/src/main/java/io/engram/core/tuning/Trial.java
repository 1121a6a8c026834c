package io.engram.core.tuning;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One trial of a study as stored.
 *
 * @param number the trial's number in its study, chosen by the caller
 * @param value the objective, present exactly when {@code state} is {@link TrialState#COMPLETE}
 * @param intermediate values reported on partial evaluation, by step
 * @param costSeconds what the evaluation cost, null while running
 * @param error why a failed trial failed
 */
public record Trial(
    int number,
    Params params,
    TrialState state,
    Double value,
    SortedMap<Integer, Double> intermediate,
    Double costSeconds,
    String error,
    Instant startedAt,
    Instant finishedAt) {

  public Trial {
    Objects.requireNonNull(params, "params");
    Objects.requireNonNull(state, "state");
    if ((state == TrialState.COMPLETE) != (value != null)) {
      throw new IllegalArgumentException("a trial has a value exactly when it is complete");
    }
    intermediate = Collections.unmodifiableSortedMap(new TreeMap<>(intermediate));
  }

  /** A running trial, as the samplers see one (tests and benchmarks build histories from these). */
  public static Trial running(int number, Params params) {
    return new Trial(
        number, params, TrialState.RUNNING, null, new TreeMap<>(), null, null, null, null);
  }

  public static Trial complete(int number, Params params, double value) {
    return new Trial(
        number, params, TrialState.COMPLETE, value, new TreeMap<>(), 0.0, null, null, null);
  }

  /** A complete trial that reported {@code intermediate} values on the way. */
  public static Trial complete(
      int number, Params params, double value, Map<Integer, Double> intermediate) {
    return new Trial(
        number,
        params,
        TrialState.COMPLETE,
        value,
        new TreeMap<>(intermediate),
        0.0,
        null,
        null,
        null);
  }

  public static Trial pruned(int number, Params params, Map<Integer, Double> intermediate) {
    return new Trial(
        number,
        params,
        TrialState.PRUNED,
        null,
        new TreeMap<>(intermediate),
        0.0,
        null,
        null,
        null);
  }

  public static Trial failed(int number, Params params, String error) {
    return new Trial(
        number, params, TrialState.FAILED, null, new TreeMap<>(), 0.0, error, null, null);
  }

  /** The same trial having reported {@code value} at {@code step}. */
  public Trial withReport(int step, double value) {
    TreeMap<Integer, Double> more = new TreeMap<>(intermediate);
    more.put(step, value);
    return new Trial(
        number, params, state, this.value, more, costSeconds, error, startedAt, finishedAt);
  }

  public OptionalInt lastStep() {
    return intermediate.isEmpty() ? OptionalInt.empty() : OptionalInt.of(intermediate.lastKey());
  }
}
