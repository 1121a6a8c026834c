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
  private final StudyRecords.Row row;
  private final Sampler sampler;

  Study(Jdbi jdbi, StudyRecords.Row row, Sampler sampler) {
    this.jdbi = jdbi;
    this.row = row;
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
    return row.id();
  }

  public Direction direction() {
    return row.direction();
  }

  public SearchSpace space() {
    return row.space();
  }

  /** The study's row as stored now (state, best trial, stop reason). */
  public StudyRecords.Row record() {
    return new StudyRecords(jdbi).byId(row.id()).orElseThrow();
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
          StudyRecords.Row current = StudyRecords.lock(h, row.id());
          Optional<Trial> existing = TrialRecords.find(h, row.id(), number, row.space());
          if (existing.isPresent()) {
            return existing.get();
          }
          if (!current.state().equals("running")) {
            throw new IllegalStateException(
                "study " + row.id() + " is " + current.state() + ": no new trial " + number);
          }
          List<Trial> history = TrialRecords.all(h, row.id(), row.space());
          Params params = choose(number, history);
          TrialRecords.insert(h, row.id(), number, params);
          return TrialRecords.find(h, row.id(), number, row.space()).orElseThrow();
        });
  }

  private Params choose(int number, List<Trial> history) {
    long seed = Sampler.trialSeed(row.seed(), number);
    if (number < row.enqueued().size()) {
      Params fixed = row.enqueued().get(number);
      if (fixed.size() == row.space().params().size()) {
        return row.space().validate(fixed.values());
      }
      Params sampled = sampler.sample(row.space(), row.direction(), history, seed);
      return row.space().validate(fixed.withDefaults(sampled).values());
    }
    return sampler.sample(row.space(), row.direction(), history, seed);
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
          TrialRecords.report(h, row.id(), number, step, value);
          return TrialRecords.find(h, row.id(), number, row.space())
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
    return row.pruner() != null && row.pruner().prune(row.direction(), trials, trial, step);
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
          StudyRecords.lock(h, row.id());
          Trial trial =
              TrialRecords.find(h, row.id(), number, row.space())
                  .orElseThrow(() -> new IllegalStateException("no trial " + number));
          if (trial.state().finished()) {
            return trial;
          }
          TrialRecords.finish(
              h,
              row.id(),
              number,
              outcome.state(),
              outcome.value(),
              outcome.costSeconds(),
              outcome.error());
          StudyRecords.refreshBest(h, row.id(), row.direction());
          return TrialRecords.find(h, row.id(), number, row.space()).orElseThrow();
        });
  }

  /** Every trial of the study, in number order. */
  public List<Trial> trials() {
    return new TrialRecords(jdbi).all(row.id(), row.space());
  }

  /** The best complete trial (ties: the older), empty before one completes. */
  public Optional<Trial> best() {
    return jdbi
        .withHandle(h -> TrialRecords.best(h, row.id(), row.direction(), 1, row.space()))
        .stream()
        .findFirst();
  }

  /** Whether the search should start no more trials, by {@code rules} over the stored trials. */
  public EarlyStopping.Verdict check(EarlyStopping rules, Duration elapsed) {
    return rules.check(row.direction(), trials(), elapsed);
  }

  /** Marks the study complete with why it stopped; a finished study keeps its first state. */
  public void finish(String reason) {
    new StudyRecords(jdbi).finish(row.id(), "complete", reason);
  }

  /** Marks the study failed with the reason; a finished study keeps its first state. */
  public void fail(String reason) {
    new StudyRecords(jdbi).finish(row.id(), "failed", reason);
  }
}
