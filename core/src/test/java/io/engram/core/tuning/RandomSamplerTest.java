package io.engram.core.tuning;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RandomSamplerTest {
  private static final SearchSpace SPACE = SearchSpaceTest.RETRIEVAL;
  private final RandomSampler sampler = new RandomSampler();

  @Test
  void the_same_seed_gives_the_same_parameters_and_another_seed_others() {
    Params a = sampler.sample(SPACE, Direction.MAXIMIZE, List.of(), 42);
    assertThat(sampler.sample(SPACE, Direction.MAXIMIZE, List.of(), 42)).isEqualTo(a);
    assertThat(sampler.sample(SPACE, Direction.MAXIMIZE, List.of(), 43)).isNotEqualTo(a);
    // Pinned: java.util.Random's algorithm is fixed by its specification, so this holds on any JVM.
    assertThat(a.toJson())
        .isEqualTo(
            "{\"weight\":0.3863147434564759,\"share\":0.01161572078469368,\"candidates\":60,"
                + "\"reranker\":\"linear\"}");
  }

  @Test
  void values_have_their_types_and_stay_within_bounds_on_the_grid_and_among_the_choices() {
    Set<Object> rerankers = new HashSet<>();
    Set<Integer> candidates = new HashSet<>();
    for (int seed = 0; seed < 3000; seed++) {
      Params p = sampler.sample(SPACE, Direction.MAXIMIZE, List.of(), seed);
      assertThat(SPACE.validate(p.values())).isEqualTo(p);
      assertThat(p.values().get("weight")).isInstanceOf(Double.class);
      assertThat(p.values().get("candidates")).isInstanceOf(Integer.class);
      assertThat(p.getDouble("weight")).isBetween(0.0, 1.0);
      assertThat(p.getDouble("share")).isBetween(0.005, 0.2);
      assertThat(p.getInt("candidates") % 10).isZero();
      candidates.add(p.getInt("candidates"));
      rerankers.add(p.getString("reranker"));
    }
    assertThat(rerankers).containsExactlyInAnyOrder("none", "linear");
    // Every point of the grid 20, 30, ..., 200 is drawn.
    assertThat(candidates).hasSize(19);
  }

  @Test
  void a_log_scale_is_uniform_in_the_logarithm() {
    SearchSpace space = SearchSpace.of(SearchSpace.logUniform("x", 1e-3, 1));
    List<Double> xs = new ArrayList<>();
    for (int seed = 0; seed < 3000; seed++) {
      xs.add(sampler.sample(space, Direction.MAXIMIZE, List.of(), seed).getDouble("x"));
    }
    // Each decade holds a third of the draws; uniform on the line it would be 0.1 %, 0.9 %, 99 %.
    long firstDecade = xs.stream().filter(x -> x < 1e-2).count();
    long lastDecade = xs.stream().filter(x -> x >= 1e-1).count();
    assertThat(firstDecade).isBetween(900L, 1100L);
    assertThat(lastDecade).isBetween(900L, 1100L);
  }

  @Test
  void a_log_scaled_integer_stays_on_its_range() {
    SearchSpace space = SearchSpace.of(new SearchSpace.IntParam("n", 1, 1000, 1, true));
    Set<Integer> seen = new HashSet<>();
    long small = 0;
    for (int seed = 0; seed < 2000; seed++) {
      int n = sampler.sample(space, Direction.MAXIMIZE, List.of(), seed).getInt("n");
      assertThat(n).isBetween(1, 1000);
      seen.add(n);
      small += n <= 31 ? 1 : 0;
    }
    assertThat(seen).contains(1, 2);
    // log(31.5 / 0.5) / log(1000.5 / 0.5) ≈ 0.545 of the draws.
    assertThat(small).isBetween(1000L, 1180L);
  }
}
