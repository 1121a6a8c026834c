package io.engram.core.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SequentialTestTest {

  @Test
  void the_likelihood_ratio_matches_closed_forms() {
    // Beta(1, 1): Λ(w, l) = w! l! / (n + 1)! · 2^n.
    SequentialTest uniform = new SequentialTest(0.05, 1);
    assertThat(uniform.logLikelihoodRatio(0, 0)).isCloseTo(0, within(1e-12));
    assertThat(Math.exp(uniform.logLikelihoodRatio(10, 0))).isCloseTo(1024.0 / 11, within(1e-9));
    assertThat(Math.exp(uniform.logLikelihoodRatio(5, 5)))
        .isCloseTo(1024.0 * 120 * 120 / 39_916_800, within(1e-12));
    // Beta(2, 2): B(2, 2) = 1/6, B(3, 2) = 1/12, B(4, 2) = 1/20.
    SequentialTest two = new SequentialTest(0.05, 2);
    assertThat(Math.exp(two.logLikelihoodRatio(1, 0))).isCloseTo(1.0, within(1e-12));
    assertThat(Math.exp(two.logLikelihoodRatio(2, 0))).isCloseTo(1.2, within(1e-12));
  }

  @Test
  void the_ratio_is_symmetric_in_wins_and_losses() {
    SequentialTest test = new SequentialTest(0.05);
    assertThat(test.logLikelihoodRatio(37, 12))
        .isCloseTo(test.logLikelihoodRatio(12, 37), within(1e-12));
  }

  @Test
  void decides_in_the_direction_of_the_wins_once_the_ratio_reaches_one_over_alpha() {
    SequentialTest test = new SequentialTest(0.05, 1);
    assertThat(test.test(10, 0).verdict()).isEqualTo(SequentialTest.Verdict.BETTER);
    assertThat(test.test(0, 10).verdict()).isEqualTo(SequentialTest.Verdict.WORSE);
    assertThat(test.test(6, 4).verdict()).isEqualTo(SequentialTest.Verdict.UNDECIDED);
    assertThat(test.test(0, 0).verdict()).isEqualTo(SequentialTest.Verdict.UNDECIDED);
    SequentialTest.Result r = test.test(10, 0);
    assertThat(r.threshold()).isCloseTo(Math.log(20), within(1e-12));
    assertThat(r.winRate()).isEqualTo(1.0);
  }

  @Test
  void with_the_default_prior_a_clear_winner_decides_after_dozens_of_comparisons() {
    SequentialTest test = new SequentialTest(0.05);
    assertThat(test.test(40, 17).verdict()).isEqualTo(SequentialTest.Verdict.BETTER);
    assertThat(test.test(20, 5).verdict()).isEqualTo(SequentialTest.Verdict.BETTER);
    assertThat(test.test(5, 20).verdict()).isEqualTo(SequentialTest.Verdict.WORSE);
    assertThat(test.test(30, 25).verdict()).isEqualTo(SequentialTest.Verdict.UNDECIDED);
  }

  /**
   * Equal arms on simulated data, the test read after every comparison (the most often it can be
   * read): the share of runs it ever decides stays within α (Ville's inequality), with room for the
   * simulation's own error of three standard errors.
   */
  @Test
  void under_equal_arms_the_false_positive_rate_stays_within_alpha_however_often_it_is_read() {
    double alpha = 0.05;
    SequentialTest test = new SequentialTest(alpha);
    SplittableRandom random = new SplittableRandom(20261205);
    int runs = 2000;
    int comparisons = 1000;
    int decided = 0;
    for (int run = 0; run < runs; run++) {
      long wins = 0;
      for (int n = 1; n <= comparisons; n++) {
        if (random.nextBoolean()) {
          wins++;
        }
        if (test.test(wins, n - wins).verdict() != SequentialTest.Verdict.UNDECIDED) {
          decided++;
          break;
        }
      }
    }
    double rate = (double) decided / runs;
    assertThat(rate).isLessThanOrEqualTo(alpha + 3 * Math.sqrt(alpha * (1 - alpha) / runs));
  }

  @Test
  void a_candidate_winning_seventy_percent_is_found_better_in_almost_every_run() {
    SequentialTest test = new SequentialTest(0.05);
    SplittableRandom random = new SplittableRandom(7);
    int better = 0;
    int runs = 500;
    for (int run = 0; run < runs; run++) {
      long wins = 0;
      for (int n = 1; n <= 400; n++) {
        if (random.nextDouble() < 0.7) {
          wins++;
        }
        SequentialTest.Verdict v = test.test(wins, n - wins).verdict();
        if (v != SequentialTest.Verdict.UNDECIDED) {
          better += v == SequentialTest.Verdict.BETTER ? 1 : 0;
          break;
        }
      }
    }
    assertThat(better).isGreaterThan(runs * 95 / 100);
  }

  @Test
  void refuses_a_meaningless_alpha_or_prior() {
    assertThatThrownBy(() -> new SequentialTest(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SequentialTest(1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SequentialTest(0.05, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
