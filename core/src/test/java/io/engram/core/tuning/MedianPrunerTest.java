package io.engram.core.tuning;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Cases worked out by hand from Optuna's MedianPruner (percentile 50, numpy's linear median). */
class MedianPrunerTest {
  private static final Params P = new Params(Map.of("x", 0.5));
  private final MedianPruner pruner = MedianPruner.defaults();

  /**
   * Five completed trials. Medians: step 0 of 0.1..0.5 is 0.3; step 1 of 0.2..0.6 is 0.4; step 2 of
   * 0.3, 0.4, 0.5, 0.7 (trial 3 never reported it) is 0.45.
   */
  private static List<Trial> completed() {
    List<Trial> t = new ArrayList<>();
    t.add(Trial.complete(0, P, 0.3, Map.of(0, 0.1, 1, 0.2, 2, 0.3)));
    t.add(Trial.complete(1, P, 0.4, Map.of(0, 0.2, 1, 0.3, 2, 0.4)));
    t.add(Trial.complete(2, P, 0.5, Map.of(0, 0.3, 1, 0.4, 2, 0.5)));
    t.add(Trial.complete(3, P, 0.5, Map.of(0, 0.4, 1, 0.5)));
    t.add(Trial.complete(4, P, 0.7, Map.of(0, 0.5, 1, 0.6, 2, 0.7)));
    return t;
  }

  private static Trial running(Map<Integer, Double> reports) {
    Trial t = Trial.running(9, P);
    for (Map.Entry<Integer, Double> e : reports.entrySet()) {
      t = t.withReport(e.getKey(), e.getValue());
    }
    return t;
  }

  private boolean prune(MedianPruner p, Direction d, Map<Integer, Double> reports, int step) {
    List<Trial> all = new ArrayList<>(completed());
    Trial trial = running(reports);
    all.add(trial);
    return p.prune(d, all, trial, step);
  }

  @Test
  void a_trial_worse_than_the_median_at_its_step_is_pruned_and_an_equal_one_is_not() {
    assertThat(prune(pruner, Direction.MAXIMIZE, Map.of(0, 0.25), 0)).isTrue();
    assertThat(prune(pruner, Direction.MAXIMIZE, Map.of(0, 0.3), 0)).isFalse();
    assertThat(prune(pruner, Direction.MAXIMIZE, Map.of(0, 0.2, 1, 0.3, 2, 0.44), 2)).isTrue();
    assertThat(prune(pruner, Direction.MAXIMIZE, Map.of(0, 0.2, 1, 0.3, 2, 0.46), 2)).isFalse();
  }

  @Test
  void the_trials_best_value_so_far_is_compared_not_its_last() {
    assertThat(prune(pruner, Direction.MAXIMIZE, Map.of(0, 0.6, 1, 0.1), 1)).isFalse();
    // Values reported after the judged step do not count.
    assertThat(prune(pruner, Direction.MAXIMIZE, Map.of(0, 0.25, 1, 0.9), 0)).isTrue();
  }

  @Test
  void when_minimising_larger_is_worse() {
    assertThat(prune(pruner, Direction.MINIMIZE, Map.of(0, 0.25), 0)).isFalse();
    assertThat(prune(pruner, Direction.MINIMIZE, Map.of(0, 0.35), 0)).isTrue();
  }

  @Test
  void nothing_is_pruned_before_the_startup_trials_have_completed() {
    List<Trial> four = new ArrayList<>(completed().subList(0, 4));
    // Pruned, failed and running trials are not completed ones.
    four.add(Trial.pruned(5, P, Map.of(0, 0.9)));
    four.add(Trial.failed(6, P, "boom"));
    Trial trial = running(Map.of(0, 0.0));
    four.add(trial);
    assertThat(pruner.prune(Direction.MAXIMIZE, four, trial, 0)).isFalse();
    assertThat(new MedianPruner(4, 0, 1, 1).prune(Direction.MAXIMIZE, four, trial, 0)).isTrue();
  }

  @Test
  void warmup_steps_interval_steps_and_min_trials_hold_back_the_check() {
    assertThat(prune(new MedianPruner(5, 1, 1, 1), Direction.MAXIMIZE, Map.of(0, 0.0), 0))
        .isFalse();
    assertThat(prune(new MedianPruner(5, 1, 1, 1), Direction.MAXIMIZE, Map.of(0, 0.0, 1, 0.0), 1))
        .isTrue();
    // Checks every two steps: step 1 shares the interval of step 0, already checked.
    MedianPruner everyOther = new MedianPruner(5, 0, 2, 1);
    assertThat(prune(everyOther, Direction.MAXIMIZE, Map.of(0, 0.0, 1, 0.0), 1)).isFalse();
    assertThat(prune(everyOther, Direction.MAXIMIZE, Map.of(0, 0.0, 1, 0.0, 2, 0.0), 2)).isTrue();
    // A check postponed because nothing was reported at step 2 happens at step 3.
    assertThat(prune(everyOther, Direction.MAXIMIZE, Map.of(0, 0.0, 3, 0.0), 3)).isFalse();
    // Only four completed trials reported step 2.
    assertThat(prune(new MedianPruner(5, 0, 1, 5), Direction.MAXIMIZE, Map.of(2, 0.0), 2))
        .isFalse();
    assertThat(prune(new MedianPruner(5, 0, 1, 4), Direction.MAXIMIZE, Map.of(2, 0.0), 2)).isTrue();
  }

  @Test
  void a_step_the_trial_did_not_report_is_not_judged() {
    assertThat(prune(pruner, Direction.MAXIMIZE, Map.of(0, 0.0), 1)).isFalse();
  }

  @Test
  void the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
    assertThat(MedianPruner.percentile(List.of(4.0, 1.0, 3.0, 2.0), 50)).isEqualTo(2.5);
    assertThat(MedianPruner.percentile(List.of(5.0, 1.0, 3.0), 50)).isEqualTo(3.0);
  }
}
