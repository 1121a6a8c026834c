package io.engram.core.tuning;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.core.training.TrainingSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EarlyStoppingTest {
  private static final Params P = new Params(Map.of("x", 0.5));
  private static final Duration HOUR = Duration.ofHours(1);
  private static final Duration EARLY = Duration.ofMinutes(1);

  /** Complete trials numbered from 0 with these values. */
  private static List<Trial> values(double... vs) {
    List<Trial> out = new ArrayList<>();
    for (double v : vs) {
      out.add(Trial.complete(out.size(), P, v));
    }
    return out;
  }

  private static EarlyStopping rules(
      int trials, int patience, int minTrials, double minImprovement) {
    return new EarlyStopping(trials, patience, minTrials, minImprovement, HOUR);
  }

  @Test
  void stops_when_n_trials_have_been_started_running_ones_included() {
    List<Trial> t = values(0.1, 0.2, 0.3);
    t.add(Trial.running(3, P));
    assertThat(rules(4, 10, 1, 0).check(Direction.MAXIMIZE, t, EARLY).reason())
        .isEqualTo(EarlyStopping.Reason.N_TRIALS);
    assertThat(rules(5, 10, 1, 0).check(Direction.MAXIMIZE, t, EARLY).stop()).isFalse();
  }

  @Test
  void stops_when_the_time_budget_is_spent() {
    EarlyStopping r = rules(100, 10, 1, 0);
    assertThat(r.check(Direction.MAXIMIZE, values(0.1), HOUR).reason())
        .isEqualTo(EarlyStopping.Reason.TIME_BUDGET);
    assertThat(r.check(Direction.MAXIMIZE, values(0.1), HOUR.minusMillis(1)).stop()).isFalse();
  }

  @Test
  void stops_after_patience_trials_without_an_improvement_of_min_improvement() {
    // Improvements: 0.5 (first), 0.6; then +0.005, +0.008, +0.009 over 0.6: under 0.01.
    List<Trial> t = values(0.5, 0.6, 0.605, 0.608, 0.609);
    EarlyStopping.Verdict v = rules(100, 3, 5, 0.01).check(Direction.MAXIMIZE, t, EARLY);
    assertThat(v.reason()).isEqualTo(EarlyStopping.Reason.PATIENCE);
    assertThat(v.detail()).contains("3 finished trials");
    // Not yet: one more trial of patience, or of the minimum, is needed.
    assertThat(rules(100, 4, 5, 0.01).check(Direction.MAXIMIZE, t, EARLY).stop()).isFalse();
    assertThat(rules(100, 3, 6, 0.01).check(Direction.MAXIMIZE, t, EARLY).stop()).isFalse();
    // Any strict improvement counts when min_improvement is 0.
    assertThat(rules(100, 3, 5, 0).check(Direction.MAXIMIZE, t, EARLY).stop()).isFalse();
  }

  @Test
  void improvements_below_the_threshold_add_up_against_the_last_counted_best() {
    // 0.506 is not an improvement over 0.5, 0.512 is (+0.012), 0.518 is not over 0.512.
    List<Trial> t = values(0.5, 0.506, 0.512, 0.518);
    assertThat(rules(100, 2, 0, 0.01).check(Direction.MAXIMIZE, t, EARLY).stop()).isFalse();
    assertThat(rules(100, 1, 0, 0.01).check(Direction.MAXIMIZE, t, EARLY).reason())
        .isEqualTo(EarlyStopping.Reason.PATIENCE);
  }

  @Test
  void pruned_and_failed_trials_count_against_patience_and_running_ones_do_not() {
    List<Trial> t = values(0.5);
    t.add(Trial.pruned(1, P, Map.of(0, 0.1)));
    t.add(Trial.failed(2, P, "boom"));
    t.add(Trial.running(3, P));
    assertThat(rules(100, 2, 0, 0).check(Direction.MAXIMIZE, t, EARLY).reason())
        .isEqualTo(EarlyStopping.Reason.PATIENCE);
    assertThat(rules(100, 3, 0, 0).check(Direction.MAXIMIZE, t, EARLY).stop()).isFalse();
  }

  @Test
  void when_minimising_lower_values_are_improvements() {
    List<Trial> t = values(0.5, 0.4, 0.3, 0.2);
    assertThat(rules(100, 1, 0, 0.05).check(Direction.MINIMIZE, t, EARLY).stop()).isFalse();
    assertThat(rules(100, 3, 0, 0.05).check(Direction.MAXIMIZE, t, EARLY).reason())
        .isEqualTo(EarlyStopping.Reason.PATIENCE);
  }

  @Test
  void a_search_with_nothing_finished_goes_on() {
    assertThat(rules(10, 1, 0, 0).check(Direction.MAXIMIZE, List.of(), EARLY))
        .isEqualTo(EarlyStopping.Verdict.CONTINUE);
  }

  @Test
  void takes_its_budgets_from_the_profiles_search_settings() {
    EarlyStopping r =
        EarlyStopping.of(
            new TrainingSettings.Search(
                10, 3, 5, 0.002, Duration.ofMinutes(12), 2, TrainingSettings.Space.RETRIEVAL));
    assertThat(r).isEqualTo(new EarlyStopping(10, 3, 5, 0.002, Duration.ofMinutes(12)));
  }
}
