package io.engram.core.tuning;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * One hyperparameter search as the retraining workflow drives it, through activities that may be
 * retried: {@link #ask} a trial by number, {@link #report} its partial evaluations and ask whether
 * it {@link #shouldPrune}, {@link #tell} its outcome. Each call is idempotent: the trial's number
 * (and the step) is the key, and the first write wins.
 *
 * <p>Several trials may run at once. Asks and tells of one study take turns on the study's row, so
 * each ask samples from one consistent history.
 */
public final class Study {
  private final Jdbi jdbi;
  private final long id;
  private final StudyRecords.Definition definition;
  private final Sampler sampler;

  Study(Jdbi jdbi, StudyRecords.Row row, Sampler sampler) {
    this.jdbi = jdbi;
    this.id = row.id();
    this.definition = row.definition();
    this.sampler = sampler;
  }

  /**
   * How a trial ended.
   *
   * @param value the objective, for a complete trial only
   * @param costSeconds what the evaluation cost in wall time
   * @param error why a failed trial failed
   */
  public record Outcome(TrialState state, Double value, double costSeconds, String error) {
    public Outcome {
      Objects.requireNonNull(state, "state");
      if (!state.finished()) {
        throw new IllegalArgumentException("an outcome is complete, pruned or failed");
      }
      if ((state == TrialState.COMPLETE) != (value != null)) {
        throw new IllegalArgumentException("an outcome has a value exactly when complete");
      }
      if (!(costSeconds >= 0)) {
        throw new IllegalArgumentException("cost must be >= 0 seconds");
      }
    }

    /** A full evaluation; a value that is not finite makes the trial failed instead (as Optuna). */
    public static Outcome complete(double value, double costSeconds) {
      return Double.isFinite(value)
          ? new Outcome(TrialState.COMPLETE, value, costSeconds, null)
          : failed("the objective value is " + value, costSeconds);
    }

    public static Outcome pruned(double costSeconds) {
      return new Outcome(TrialState.PRUNED, null, costSeconds, null);
    }

    public static Outcome failed(String error, double costSeconds) {
      return new Outcome(TrialState.FAILED, null, costSeconds, error);
    }
  }

  public long id() {
    return id;
  }

  public Direction direction() {
    return definition.direction();
  }

  public SearchSpace space() {
    return definition.space();
  }

  /** The study's row as stored now (state, best trial, stop reason). */
  public StudyRecords.Row record() {
    return new StudyRecords(jdbi).byId(id).orElseThrow();
  }

  /**
   * The trial numbered {@code number}: the stored one when it exists, else a new running trial. A
   * new trial takes the {@code number}-th enqueued parameter set if there is one (the sampler
   * filling in what it leaves out); otherwise the sampler chooses from the trials stored at that
   * moment (running ones included, see {@link TpeSampler}) with the seed {@link
   * Sampler#trialSeed}{@code (study seed, number)}. Sampling and storing happen in one transaction.
   *
   * @throws IllegalStateException when the study has finished and has no such trial
   */
  public Trial ask(int number) {
    if (number < 0) {
      throw new IllegalArgumentException("trial numbers start at 0");
    }
    return jdbi.inTransaction(
        h -> {
          StudyRecords.Row current = StudyRecords.lock(h, id);
          Optional<Trial> existing = TrialRecords.find(h, id, number, definition.space());
          if (existing.isPresent()) {
            return existing.get();
          }
          if (!current.state().equals("running")) {
            throw new IllegalStateException(
                "study " + id + " is " + current.state() + ": no new trial " + number);
          }
          List<Trial> history = TrialRecords.all(h, id, definition.space());
          Params params = choose(number, history);
          TrialRecords.insert(h, id, number, params);
          return TrialRecords.find(h, id, number, definition.space()).orElseThrow();
        });
  }

  private Params choose(int number, List<Trial> history) {
    long seed = Sampler.trialSeed(definition.seed(), number);
    if (number < definition.enqueued().size()) {
      Params fixed = definition.enqueued().get(number);
      if (fixed.size() == definition.space().params().size()) {
        return definition.space().validate(fixed.values());
      }
      Params sampled = sampler.sample(definition.space(), definition.direction(), history, seed);
      return definition.space().validate(fixed.withDefaults(sampled).values());
    }
    return sampler.sample(definition.space(), definition.direction(), history, seed);
  }

  /**
   * Stores the value of a partial evaluation at {@code step} (a step's first value stays; a
   * finished trial is left alone) and returns the trial.
   *
   * @throws IllegalArgumentException when the value is not finite or the step negative
   * @throws IllegalStateException when there is no such trial
   */
  public Trial report(int number, int step, double value) {
    if (step < 0 || !Double.isFinite(value)) {
      throw new IllegalArgumentException("a report needs a step >= 0 and a finite value");
    }
    return jdbi.inTransaction(
        h -> {
          TrialRecords.report(h, id, number, step, value);
          return TrialRecords.find(h, id, number, definition.space())
              .orElseThrow(() -> new IllegalStateException("no trial " + number));
        });
  }

  /**
   * Whether the trial should stop at {@code step}, by the study's {@link MedianPruner} (never
   * without one). A trial already finished answers whether it was pruned, so a check retried after
   * the tell gives the first answer.
   */
  public boolean shouldPrune(int number, int step) {
    List<Trial> trials = trials();
    Trial trial =
        trials.stream()
            .filter(t -> t.number() == number)
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("no trial " + number));
    if (trial.state().finished()) {
      return trial.state() == TrialState.PRUNED;
    }
    return definition.pruner() != null
        && definition.pruner().prune(definition.direction(), trials, trial, step);
  }

  /**
   * Finishes a running trial with its outcome and keeps the study's best trial current. The first
   * tell wins: telling a finished trial changes nothing and returns it as stored.
   *
   * @throws IllegalStateException when there is no such trial
   */
  public Trial tell(int number, Outcome outcome) {
    return jdbi.inTransaction(
        h -> {
          StudyRecords.lock(h, id);
          Trial trial =
              TrialRecords.find(h, id, number, definition.space())
                  .orElseThrow(() -> new IllegalStateException("no trial " + number));
          if (trial.state().finished()) {
            return trial;
          }
          TrialRecords.finish(
              h,
              id,
              number,
              outcome.state(),
              outcome.value(),
              outcome.costSeconds(),
              outcome.error());
          StudyRecords.refreshBest(h, id, definition.direction());
          return TrialRecords.find(h, id, number, definition.space()).orElseThrow();
        });
  }

  /** Every trial of the study, in number order. */
  public List<Trial> trials() {
    return new TrialRecords(jdbi).all(id, definition.space());
  }

  /** The best complete trial (ties: the older), empty before one completes. */
  public Optional<Trial> best() {
    return jdbi
        .withHandle(h -> TrialRecords.best(h, id, definition.direction(), 1, definition.space()))
        .stream()
        .findFirst();
  }

  /** Whether the search should start no more trials, by {@code rules} over the stored trials. */
  public EarlyStopping.Verdict check(EarlyStopping rules, Duration elapsed) {
    return rules.check(definition.direction(), trials(), elapsed);
  }

  /** Marks the study complete with why it stopped; a finished study keeps its first state. */
  public void finish(String reason) {
    new StudyRecords(jdbi).finish(id, "complete", reason);
  }

  /** Marks the study failed with the reason; a finished study keeps its first state. */
  public void fail(String reason) {
    new StudyRecords(jdbi).finish(id, "failed", reason);
  }
}
