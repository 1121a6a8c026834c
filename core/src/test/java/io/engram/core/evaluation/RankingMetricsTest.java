package io.engram.core.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RankingMetricsTest {

  @Test
  void ndcg_is_one_for_a_perfect_ranking_and_discounted_otherwise() {
    Map<String, Integer> rel = Map.of("a", 1, "b", 1);
    assertThat(RankingMetrics.ndcg(List.of("a", "b", "x"), rel, 10)).isEqualTo(1.0);
    // Relevant at ranks 2 and 3: (1/log2(3) + 1/log2(4)) / (1 + 1/log2(3)).
    double expected = (1 / log2(3) + 0.5) / (1 + 1 / log2(3));
    assertThat(RankingMetrics.ndcg(List.of("x", "a", "b"), rel, 10))
        .isCloseTo(expected, within(1e-12));
    assertThat(RankingMetrics.ndcg(List.of("x", "y"), rel, 10)).isZero();
  }

  @Test
  void mrr_and_recall_respect_the_cutoff() {
    Map<String, Integer> rel = Map.of("b", 1, "z", 1);
    assertThat(RankingMetrics.mrr(List.of("a", "b"), rel, 10)).isEqualTo(0.5);
    assertThat(RankingMetrics.mrr(List.of("a", "b"), rel, 1)).isZero();
    assertThat(RankingMetrics.recall(List.of("a", "b"), rel, 10)).isEqualTo(0.5);
  }

  @Test
  void percentile_is_nearest_rank() {
    double[] sorted = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    assertThat(RankingMetrics.percentile(sorted, 50)).isEqualTo(5);
    assertThat(RankingMetrics.percentile(sorted, 95)).isEqualTo(10);
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }
}
