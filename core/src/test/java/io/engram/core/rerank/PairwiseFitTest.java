package io.engram.core.rerank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PairwiseFitTest {

  /** Column that separates relevant from irrelevant candidates in the synthetic data. */
  private static final int SIGNAL = 9;

  /**
   * Queries whose one relevant document sits at a random fusion position, with noise in every
   * column except {@link #SIGNAL}, which is 1 for the relevant candidate and 0 for the others.
   */
  private static List<PairwiseFit.Query> separable(int queries, int candidates, long seed) {
    Random random = new Random(seed);
    List<PairwiseFit.Query> out = new ArrayList<>();
    for (int q = 0; q < queries; q++) {
      int relevant = random.nextInt(candidates);
      double[][] rows = new double[candidates][RerankFeatures.COUNT];
      List<String> docs = new ArrayList<>();
      for (int i = 0; i < candidates; i++) {
        for (int f = 0; f < RerankFeatures.COUNT; f++) {
          rows[i][f] = random.nextGaussian();
        }
        rows[i][SIGNAL] = i == relevant ? 1 : 0;
        docs.add("q" + q + "d" + i);
      }
      out.add(new PairwiseFit.Query("q" + q, rows, docs, Map.of("q" + q + "d" + relevant, 1)));
    }
    return out;
  }

  @Test
  void a_separating_feature_gets_a_positive_weight_and_ndcg_goes_to_one() {
    List<PairwiseFit.Query> train = separable(40, 20, 1);
    List<PairwiseFit.Query> test = separable(20, 20, 2);
    assertThat(PairwiseFit.evaluateFusion(test).ndcg10()).isLessThan(0.7);

    PairwiseFit.Model model = PairwiseFit.fit(train, new PairwiseFit.Params(0.001, 100));

    double[] w = model.weights();
    assertThat(w[SIGNAL]).isPositive();
    for (int f = 0; f < w.length; f++) {
      if (f != SIGNAL) {
        assertThat(Math.abs(w[f])).isLessThan(w[SIGNAL]);
      }
    }
    assertThat(PairwiseFit.evaluate(test, model::score).ndcg10()).isCloseTo(1.0, within(1e-12));
    assertThat(PairwiseFit.evaluate(test, model::score).mrr10()).isCloseTo(1.0, within(1e-12));
  }

  @Test
  void fitting_is_deterministic_and_a_stronger_penalty_shrinks_the_weights() {
    List<PairwiseFit.Query> train = separable(30, 15, 3);
    PairwiseFit.Model a = PairwiseFit.fit(train, new PairwiseFit.Params(0.01, 100));
    PairwiseFit.Model b = PairwiseFit.fit(train, new PairwiseFit.Params(0.01, 100));
    PairwiseFit.Model strong = PairwiseFit.fit(train, new PairwiseFit.Params(10, 100));
    assertThat(a.weights()).containsExactly(b.weights());
    assertThat(Math.abs(strong.weights()[SIGNAL])).isLessThan(Math.abs(a.weights()[SIGNAL]));
  }

  @Test
  void cross_validation_tries_every_setting_and_ranks_them() {
    List<PairwiseFit.Query> train = separable(30, 10, 4);
    List<PairwiseFit.Trial> trials =
        PairwiseFit.crossValidate(
            train,
            List.of(new PairwiseFit.Params(1000, 100), new PairwiseFit.Params(0.01, 100)),
            3,
            42);
    assertThat(trials).hasSize(2);
    assertThat(trials.get(0).ndcg10()).isGreaterThanOrEqualTo(trials.get(1).ndcg10());
    assertThat(trials.get(0).ndcg10()).isCloseTo(1.0, within(1e-9));
  }

  @Test
  void queries_without_a_relevant_candidate_are_skipped() {
    List<PairwiseFit.Query> train = new ArrayList<>(separable(10, 10, 5));
    train.add(
        new PairwiseFit.Query(
            "empty", new double[][] {new double[RerankFeatures.COUNT]}, List.of("x"), Map.of()));
    PairwiseFit.Model model = PairwiseFit.fit(train, new PairwiseFit.Params(0.01, 100));
    assertThat(model.weights()[SIGNAL]).isPositive();
  }

  @Test
  void cholesky_solves_a_small_system() {
    double[] x = PairwiseFit.solve(new double[][] {{4, 2}, {2, 3}}, new double[] {2, 1});
    assertThat(x[0]).isCloseTo(0.5, within(1e-12));
    assertThat(x[1]).isCloseTo(0.0, within(1e-12));
  }

  @Test
  void the_fitted_model_becomes_a_reranker_with_the_same_scores() {
    PairwiseFit.Model model =
        PairwiseFit.fit(separable(20, 10, 6), new PairwiseFit.Params(0.1, 100));
    LinearReranker reranker = model.toReranker("fit-v1", Map.of("split", "train"));
    double[] row = new double[RerankFeatures.COUNT];
    row[SIGNAL] = 1;
    assertThat(reranker.score(row)).isCloseTo(model.score(row), within(1e-12));
  }
}
