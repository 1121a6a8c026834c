package io.engram.core.tuning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ParzenEstimatorTest {

  private static List<double[]> column(double... xs) {
    return Arrays.stream(xs).mapToObj(x -> new double[] {x}).toList();
  }

  @Test
  void the_gaussian_log_masses_match_reference_values() {
    // Reference values from log(0.5 * erfc(-a / sqrt 2)) in double precision.
    assertThat(Gaussian.logMass(-1, 1)).isCloseTo(-0.38171514630212616, within(1e-14));
    assertThat(Gaussian.logMass(0.5, 2.5)).isCloseTo(-1.1962431770139124, within(1e-13));
    assertThat(Gaussian.logNdtr(-10)).isCloseTo(-53.23128515051246, within(1e-11));
    // Below -20 the asymptotic series takes over.
    assertThat(Gaussian.logNdtr(-30)).isCloseTo(-454.3212439563431, within(1e-9));
    assertThat(Gaussian.logNdtr(8)).isCloseTo(-6.220960574271821e-16, within(1e-25));
    // Far in a tail the mass is tiny but its logarithm finite.
    assertThat(Gaussian.logMass(40, 41)).isFinite().isLessThan(-800);
    assertThat(Gaussian.logMass(-41, -40)).isEqualTo(Gaussian.logMass(40, 41));
  }

  @Test
  void log_densities_match_optunas_parzen_estimator() {
    // Reference values from Optuna 5.0.0's _ParzenEstimator (prior_weight 1, magic clip, no
    // endpoints, default_weights) over the same observations, in its internal representation.
    ParzenEstimator mixed =
        new ParzenEstimator(
            SearchSpaceTest.RETRIEVAL.params(),
            List.of(
                new double[] {0.2, 0.01, 20, 1},
                new double[] {0.25, 0.011, 120, 1},
                new double[] {0.9, 0.15, 200, 0},
                new double[] {0.6, 0.05, 60, 1}),
            1.0);
    double[] lp =
        mixed.logPdf(
            new double[][] {
              {0.3, 0.02, 100, 1}, {0.0, 0.005, 20, 0}, {1.0, 0.2, 200, 1}, {0.55, 0.05, 60, 1}
            });
    assertThat(lp[0]).isCloseTo(-4.22313461173297, within(1e-9));
    assertThat(lp[1]).isCloseTo(-5.465990607802412, within(1e-9));
    assertThat(lp[2]).isCloseTo(-5.387600897144945, within(1e-9));
    assertThat(lp[3]).isCloseTo(-4.5012834786767995, within(1e-9));

    // Thirty observations: the oldest five weigh less (numpy.random.RandomState(0).uniform(0, 1)).
    double[] xs = {
      0.5488135039273248, 0.7151893663724195, 0.6027633760716439, 0.5448831829968969,
      0.4236547993389047, 0.6458941130666561, 0.4375872112626925, 0.8917730007820798,
      0.9636627605010293, 0.3834415188257777, 0.7917250380826646, 0.5288949197529045,
      0.5680445610939323, 0.925596638292661, 0.07103605819788694, 0.08712929970154071,
      0.02021839744032572, 0.832619845547938, 0.7781567509498505, 0.8700121482468192,
      0.978618342232764, 0.7991585642167236, 0.46147936225293185, 0.7805291762864555,
      0.11827442586893322, 0.6399210213275238, 0.1433532874090464, 0.9446689170495839,
      0.5218483217500717, 0.4146619399905236
    };
    ParzenEstimator ramp =
        new ParzenEstimator(List.of(SearchSpace.uniform("x", 0, 1)), column(xs), 1.0);
    double[] lr = ramp.logPdf(new double[][] {{0.1}, {0.5}, {0.99}});
    assertThat(lr[0]).isCloseTo(0.26824831934721405, within(1e-9));
    assertThat(lr[1]).isCloseTo(0.1129574098513828, within(1e-9));
    assertThat(lr[2]).isCloseTo(0.17094579412644773, within(1e-9));
  }

  @Test
  void a_float_estimator_is_a_density_on_its_range() {
    ParzenEstimator e =
        new ParzenEstimator(
            List.of(SearchSpace.uniform("x", 0, 1)), column(0.2, 0.25, 0.9, 0.0), 1.0);
    int n = 20_000;
    double[][] grid = new double[n][1];
    for (int i = 0; i < n; i++) {
      grid[i][0] = (i + 0.5) / n;
    }
    double integral = 0;
    for (double lp : e.logPdf(grid)) {
      integral += Math.exp(lp) / n;
    }
    assertThat(integral).isCloseTo(1.0, within(1e-3));
  }

  @Test
  void a_log_float_estimator_is_a_density_in_the_logarithm() {
    ParzenEstimator e =
        new ParzenEstimator(
            List.of(SearchSpace.logUniform("x", 0.005, 0.2)), column(0.01, 0.011, 0.15), 1.0);
    int n = 20_000;
    double lo = Math.log(0.005);
    double width = Math.log(0.2) - lo;
    double[][] grid = new double[n][1];
    for (int i = 0; i < n; i++) {
      grid[i][0] = Math.exp(lo + width * (i + 0.5) / n);
    }
    double integral = 0;
    for (double lp : e.logPdf(grid)) {
      integral += Math.exp(lp) * width / n;
    }
    assertThat(integral).isCloseTo(1.0, within(1e-3));
  }

  @Test
  void integer_and_categorical_estimators_are_distributions_over_their_values() {
    ParzenEstimator ints =
        new ParzenEstimator(
            List.of(SearchSpace.integer("n", 20, 200, 10)), column(20, 30, 120, 200), 1.0);
    double[][] grid = new double[19][1];
    for (int i = 0; i < 19; i++) {
      grid[i][0] = 20 + 10 * i;
    }
    double total = 0;
    for (double lp : ints.logPdf(grid)) {
      total += Math.exp(lp);
    }
    assertThat(total).isCloseTo(1.0, within(1e-9));

    ParzenEstimator choices =
        new ParzenEstimator(
            List.of(SearchSpace.categorical("c", "a", "b", "c")), column(0, 0, 2), 1.0);
    double[] lps = choices.logPdf(new double[][] {{0}, {1}, {2}});
    assertThat(Math.exp(lps[0]) + Math.exp(lps[1]) + Math.exp(lps[2])).isCloseTo(1, within(1e-12));
    // Kernels: weight 1 on the observed choice plus 1/4 on each, normalised; the prior uniform.
    double expectedA = (2 * (1.25 / 1.75) + (0.25 / 1.75) + 1 / 3.0) / 4;
    assertThat(Math.exp(lps[0])).isCloseTo(expectedA, within(1e-12));
  }

  @Test
  void samples_stay_in_bounds_on_the_grid() {
    ParzenEstimator e =
        new ParzenEstimator(
            List.of(
                SearchSpace.integer("n", 20, 200, 10),
                SearchSpace.logUniform("s", 0.005, 0.2),
                SearchSpace.categorical("c", "a", "b")),
            List.of(new double[] {200, 0.2, 1}, new double[] {20, 0.005, 0}),
            1.0);
    for (double[] x : e.sample(new Random(3), 5000)) {
      assertThat(x[0]).isBetween(20.0, 200.0);
      assertThat((x[0] - 20) % 10).isZero();
      assertThat(x[1]).isBetween(0.005, 0.2);
      assertThat(x[2]).isIn(0.0, 1.0);
    }
  }
}
