package io.engram.core.tuning;

import io.engram.core.tuning.SearchSpace.CategoricalParam;
import io.engram.core.tuning.SearchSpace.FloatParam;
import io.engram.core.tuning.SearchSpace.IntParam;
import io.engram.core.tuning.SearchSpace.Param;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * The tree-structured Parzen estimator (Bergstra et al. 2011), following Optuna's {@code
 * TPESampler} (with Optuna 5.0's defaults) step by step, in Java because the pipelines take no
 * Python:
 *
 * <ol>
 *   <li>Until {@code startupTrials} trials have finished (complete or pruned), parameters are drawn
 *       by {@link RandomSampler}.
 *   <li>The finished trials are split: the best {@code gamma(n) = min(ceil(0.1 n), 25)} complete
 *       ones are "good", the rest "bad"; if fewer than {@code gamma(n)} trials are complete, the
 *       pruned ones that got furthest (then by their last intermediate value) fill the good group.
 *       Failed trials are ignored.
 *   <li>A {@link ParzenEstimator} is fitted to each group, with a prior kernel of weight {@code
 *       priorWeight}.
 *   <li>{@code eiCandidates} candidates are drawn from the good estimator; the one maximising
 *       {@code log l(x) - log g(x)} (the expected improvement's monotone proxy) is returned.
 * </ol>
 *
 * <p>Multivariate (the default, as in Optuna for one objective since v5): one joint estimator over
 * all parameters, so interactions between them are modelled. Independent: one estimator per
 * parameter, each choosing its value alone.
 *
 * <p>Running trials: with {@code constantLiar} (Optuna's default) a running trial's parameters join
 * the bad group, as if it had the worst value, so trials asked in parallel do not all crowd the
 * same spot; they do not count in {@code n} for {@code gamma(n)}. Without it they are ignored, and
 * parallel asks with the same history differ only by their seeds.
 *
 * <p>One departure from Optuna, {@code avoidRepeats}: among the candidates, the best-scoring one
 * that no trial (running, finished or failed) has had is taken, when there is one. Optuna returns
 * the best candidate even if it repeats a trial, which happens once most parameters are discrete:
 * TPE's good group then proposes its own members again. Our objective is deterministic for given
 * parameters (NDCG on fixed labelled queries), so a repeat costs a trial and teaches nothing; with
 * a float among the parameters repeats cannot happen and nothing changes. See {@code
 * docs/benchmarks/tuning.md} (the {@code table} function) for the effect.
 *
 * <p>Deterministic: the seed drives a {@link java.util.Random}, whose algorithm is fixed by its
 * specification. Truncated Gaussians are drawn by rejection rather than by Optuna's inverse CDF;
 * the distribution is the same.
 */
public final class TpeSampler implements Sampler {
  public static final String NAME = "tpe";

  /**
   * @param startupTrials finished trials before TPE takes over from random search (Optuna: 10)
   * @param eiCandidates candidates scored per sample (Optuna: 24)
   * @param priorWeight weight of the prior kernel against each observation's 1 (Optuna: 1.0)
   * @param multivariate one joint estimator rather than one per parameter
   * @param constantLiar count running trials as bad ones
   * @param avoidRepeats (multivariate only; not in Optuna) take the best-scoring candidate whose
   *     parameters no trial has had yet, if any
   */
  public record Options(
      int startupTrials,
      int eiCandidates,
      double priorWeight,
      boolean multivariate,
      boolean constantLiar,
      boolean avoidRepeats) {
    public Options {
      if (startupTrials < 0 || eiCandidates < 1 || !(priorWeight > 0)) {
        throw new IllegalArgumentException(
            "TPE needs startupTrials >= 0, eiCandidates >= 1 and priorWeight > 0");
      }
    }

    public static Options defaults() {
      return new Options(10, 24, 1.0, true, true, true);
    }
  }

  private final Options options;

  public TpeSampler() {
    this(Options.defaults());
  }

  public TpeSampler(Options options) {
    this.options = options;
  }

  public Options options() {
    return options;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Params sample(SearchSpace space, Direction direction, List<Trial> history, long seed) {
    Random rng = Sampler.random(seed);
    long finished =
        history.stream()
            .filter(t -> t.state() == TrialState.COMPLETE || t.state() == TrialState.PRUNED)
            .count();
    if (finished < options.startupTrials()) {
      return RandomSampler.draw(space.params(), rng);
    }
    // Parameters with a single possible value take it and stay out of the estimators.
    Map<String, Object> values = new LinkedHashMap<>();
    List<Param> searched = new ArrayList<>();
    for (Param p : space.params()) {
      single(p).ifPresentOrElse(v -> values.put(p.name(), v), () -> searched.add(p));
    }
    if (options.multivariate()) {
      values.putAll(sampleGroup(searched, direction, history, rng, options.avoidRepeats()));
    } else {
      for (Param p : searched) {
        values.putAll(sampleGroup(List.of(p), direction, history, rng, false));
      }
    }
    Map<String, Object> ordered = new LinkedHashMap<>();
    space.params().forEach(p -> ordered.put(p.name(), values.get(p.name())));
    return new Params(ordered);
  }

  /** Optuna's {@code default_gamma}: how many trials form the good group. */
  static int gamma(int n) {
    return Math.min((int) Math.ceil(0.1 * n), 25);
  }

  private Map<String, Object> sampleGroup(
      List<Param> group,
      Direction direction,
      List<Trial> history,
      Random rng,
      boolean avoidRepeats) {
    if (group.isEmpty()) {
      return Map.of();
    }
    List<Trial> complete = new ArrayList<>();
    List<Trial> pruned = new ArrayList<>();
    List<Trial> running = new ArrayList<>();
    for (Trial t : byNumber(history)) {
      if (!covers(t, group)) {
        continue;
      }
      switch (t.state()) {
        case COMPLETE -> complete.add(t);
        case PRUNED -> pruned.add(t);
        case RUNNING -> {
          if (options.constantLiar()) {
            running.add(t);
          }
        }
        case FAILED -> {}
      }
    }
    int nBelow = gamma(complete.size() + pruned.size());
    // Stable sorts over trials in number order: ties go to the older trial, as in Optuna.
    List<Trial> sortedComplete = new ArrayList<>(complete);
    sortedComplete.sort(Comparator.comparing(Trial::value, direction.bestFirst()));
    int fromComplete = Math.min(nBelow, sortedComplete.size());
    List<Trial> below = new ArrayList<>(sortedComplete.subList(0, fromComplete));
    List<Trial> above =
        new ArrayList<>(sortedComplete.subList(fromComplete, sortedComplete.size()));
    List<Trial> sortedPruned = new ArrayList<>(pruned);
    sortedPruned.sort(prunedOrder(direction));
    int fromPruned = Math.min(Math.max(0, nBelow - fromComplete), sortedPruned.size());
    below.addAll(sortedPruned.subList(0, fromPruned));
    above.addAll(sortedPruned.subList(fromPruned, sortedPruned.size()));
    above.addAll(running);

    ParzenEstimator good =
        new ParzenEstimator(group, internal(byNumber(below), group), options.priorWeight());
    ParzenEstimator bad =
        new ParzenEstimator(group, internal(byNumber(above), group), options.priorWeight());
    double[][] candidates = good.sample(rng, options.eiCandidates());
    double[] lg = good.logPdf(candidates);
    double[] lb = bad.logPdf(candidates);
    double[] score = new double[candidates.length];
    for (int i = 0; i < candidates.length; i++) {
      double d = lg[i] - lb[i];
      score[i] = Double.isNaN(d) ? Double.NEGATIVE_INFINITY : d;
    }
    // Best first; among equal scores the earlier candidate, as numpy's argmax.
    Integer[] order = IntStream.range(0, candidates.length).boxed().toArray(Integer[]::new);
    Arrays.sort(order, (x, y) -> Double.compare(score[y], score[x]));
    int best = order[0];
    if (avoidRepeats) {
      Set<Map<String, Object>> tried = new HashSet<>();
      for (Trial t : history) {
        tried.add(project(t.params().values(), group));
      }
      for (int i : order) {
        if (!tried.contains(toExternal(group, candidates[i]))) {
          best = i;
          break;
        }
      }
    }
    return toExternal(group, candidates[best]);
  }

  private static Map<String, Object> toExternal(List<Param> group, double[] internal) {
    Map<String, Object> values = new LinkedHashMap<>();
    for (int j = 0; j < group.size(); j++) {
      values.put(group.get(j).name(), external(group.get(j), internal[j]));
    }
    return values;
  }

  private static Map<String, Object> project(Map<String, Object> values, List<Param> group) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Param p : group) {
      out.put(p.name(), values.get(p.name()));
    }
    return out;
  }

  /**
   * Optuna's order of pruned trials, best first: those that reported a later step, then by the
   * value at their last step; trials that reported nothing last.
   */
  private static Comparator<Trial> prunedOrder(Direction direction) {
    Comparator<Trial> byStep =
        Comparator.comparingInt(t -> t.lastStep().isPresent() ? -t.lastStep().getAsInt() : 1);
    return byStep.thenComparingDouble(
        t -> {
          if (t.intermediate().isEmpty()) {
            return 0.0;
          }
          double v = t.intermediate().get(t.intermediate().lastKey());
          if (Double.isNaN(v)) {
            return Double.POSITIVE_INFINITY;
          }
          return direction == Direction.MAXIMIZE ? -v : v;
        });
  }

  private static List<Trial> byNumber(List<Trial> trials) {
    List<Trial> sorted = new ArrayList<>(trials);
    sorted.sort(Comparator.comparingInt(Trial::number));
    return sorted;
  }

  private static boolean covers(Trial t, List<Param> group) {
    for (Param p : group) {
      if (!t.params().has(p.name()) || p.coerce(t.params().values().get(p.name())).isEmpty()) {
        return false;
      }
    }
    return true;
  }

  private static List<double[]> internal(List<Trial> trials, List<Param> group) {
    List<double[]> rows = new ArrayList<>();
    for (Trial t : trials) {
      double[] row = new double[group.size()];
      for (int j = 0; j < group.size(); j++) {
        Param p = group.get(j);
        Object v = t.params().values().get(p.name());
        row[j] =
            p instanceof CategoricalParam c
                ? c.choices().indexOf((String) v)
                : ((Number) v).doubleValue();
      }
      rows.add(row);
    }
    return rows;
  }

  private static Object external(Param p, double x) {
    if (p instanceof FloatParam f) {
      return Math.max(f.low(), Math.min(f.high(), x));
    }
    if (p instanceof IntParam i) {
      return (int) Math.max(i.low(), Math.min(i.high(), Math.round(x)));
    }
    return ((CategoricalParam) p).choices().get((int) x);
  }

  private static Optional<Object> single(Param p) {
    if (p instanceof FloatParam f && f.low() == f.high()) {
      return Optional.of(f.low());
    }
    if (p instanceof IntParam i && i.low() == i.high()) {
      return Optional.of(i.low());
    }
    if (p instanceof CategoricalParam c && c.choices().size() == 1) {
      return Optional.of(c.choices().get(0));
    }
    return Optional.empty();
  }
}
