package io.engram.core.tuning;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * A study run in memory, one trial after another, with an objective that is cheap to evaluate: how
 * the samplers are compared with each other (tests, {@code TuningBenchmark}) without a database or
 * a workflow. Trial {@code i} is sampled with {@link Sampler#trialSeed}{@code (seed, i)}, as {@link
 * Study#ask} does.
 */
public final class LocalSearch {
  private LocalSearch() {}

  /** The trials of a {@code trials}-long search, in order. */
  public static List<Trial> run(
      Sampler sampler,
      SearchSpace space,
      Direction direction,
      ToDoubleFunction<Params> objective,
      int trials,
      long seed) {
    List<Trial> history = new ArrayList<>();
    for (int i = 0; i < trials; i++) {
      Params params =
          sampler.sample(space, direction, List.copyOf(history), Sampler.trialSeed(seed, i));
      history.add(Trial.complete(i, params, objective.applyAsDouble(params)));
    }
    return history;
  }

  /** The best value among {@code trials}' complete ones. */
  public static double best(List<Trial> trials, Direction direction) {
    double best = Double.NaN;
    for (Trial t : trials) {
      if (t.state() == TrialState.COMPLETE
          && (Double.isNaN(best) || direction.better(t.value(), best))) {
        best = t.value();
      }
    }
    return best;
  }
}
