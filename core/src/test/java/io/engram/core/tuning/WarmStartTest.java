package io.engram.core.tuning;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WarmStartTest {
  private static final SearchSpace SPACE =
      SearchSpace.of(
          SearchSpace.uniform("w", 0, 1), SearchSpace.categorical("r", "none", "linear"));

  private static Params p(double w, String r) {
    return new Params(Map.of("w", w, "r", r));
  }

  private static final List<Trial> PREVIOUS =
      List.of(
          Trial.complete(0, p(0.1, "none"), 0.5),
          Trial.complete(1, p(0.2, "none"), 0.7),
          Trial.complete(2, p(0.3, "linear"), 0.6),
          Trial.complete(3, p(0.4, "linear"), 0.7),
          Trial.pruned(4, p(0.5, "none"), Map.of(0, 0.9)),
          Trial.failed(5, p(0.6, "none"), "boom"),
          Trial.running(6, p(0.7, "none")));

  @Test
  void the_best_complete_trials_come_first_ties_to_the_older() {
    assertThat(Studies.warmStart(PREVIOUS, Direction.MAXIMIZE, SPACE, 3))
        .containsExactly(p(0.2, "none"), p(0.4, "linear"), p(0.3, "linear"));
    assertThat(Studies.warmStart(PREVIOUS, Direction.MINIMIZE, SPACE, 2))
        .containsExactly(p(0.1, "none"), p(0.3, "linear"));
    // Only complete trials are candidates.
    assertThat(Studies.warmStart(PREVIOUS, Direction.MAXIMIZE, SPACE, 10)).hasSize(4);
  }

  @Test
  void parameters_the_new_space_does_not_accept_are_left_out_and_repeats_dropped() {
    SearchSpace changed =
        SearchSpace.of(
            SearchSpace.uniform("w", 0, 0.25), SearchSpace.categorical("r", "none", "linear"));
    assertThat(Studies.warmStart(PREVIOUS, Direction.MAXIMIZE, changed, 3))
        .containsExactly(p(0.2, "none"), new Params(Map.of("r", "linear")));
  }
}
