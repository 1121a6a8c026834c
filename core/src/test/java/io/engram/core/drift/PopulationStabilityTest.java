package io.engram.core.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class PopulationStabilityTest {

  private static final double[] ONE_TO_TEN = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

  @Test
  void cut_points_are_the_reference_deciles() {
    assertThat(PopulationStability.cutPoints(ONE_TO_TEN))
        .containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9);
    // Shuffled input, the same deciles.
    assertThat(PopulationStability.cutPoints(new double[] {10, 3, 7, 1, 9, 2, 8, 4, 6, 5}))
        .containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9);
  }

  @Test
  void identical_samples_have_a_psi_of_zero() {
    assertThat(PopulationStability.psi(ONE_TO_TEN, ONE_TO_TEN)).isZero();
  }

  @Test
  void psi_matches_the_hand_computed_value_with_empty_bins_at_epsilon() {
    // Reference deciles 1..9 make ten bins of 10 % each. The recent sample puts 50 % in the first
    // bin, 10 % in each of the next five and nothing in the last four (epsilon = 1e-4):
    // PSI = (0.5 - 0.1) ln(0.5 / 0.1) + 5 * 0 + 4 * (1e-4 - 0.1) ln(1e-4 / 0.1)
    //     = 0.4 ln 5 + 0.3996 ln 1000 = 0.643775 + 2.760339 = 3.404114
    double[] recent = {1, 1, 1, 1, 1, 2, 3, 4, 5, 6};

    assertThat(PopulationStability.psi(ONE_TO_TEN, recent)).isCloseTo(3.404114, within(1e-6));
  }

  @Test
  void repeated_cut_points_merge_into_wider_bins() {
    // Deciles of {0 x8, 1, 2} are 0 (eight times) and 1: bins (-inf, 0], (0, 1], (1, inf) with
    // reference shares 0.8, 0.1, 0.1; the recent sample has 0.5, 0.3, 0.2:
    // PSI = (0.5 - 0.8) ln(0.5 / 0.8) + (0.3 - 0.1) ln 3 + (0.2 - 0.1) ln 2 = 0.430038
    double[] reference = {0, 0, 0, 0, 0, 0, 0, 0, 1, 2};
    double[] recent = {0, 0, 0, 0, 0, 1, 1, 1, 2, 2};

    assertThat(PopulationStability.cutPoints(reference)).containsExactly(0, 1);
    assertThat(PopulationStability.shares(recent, PopulationStability.cutPoints(reference)))
        .containsExactly(new double[] {0.5, 0.3, 0.2}, within(1e-12));
    assertThat(PopulationStability.psi(reference, recent)).isCloseTo(0.430038, within(1e-6));
  }

  @Test
  void a_value_on_a_cut_point_belongs_to_the_bin_below_it() {
    double[] shares = PopulationStability.shares(new double[] {1, 2, 2.5}, new double[] {1, 2});

    assertThat(shares).containsExactly(new double[] {1 / 3.0, 1 / 3.0, 1 / 3.0}, within(1e-12));
  }

  @Test
  void psi_grows_with_the_shift() {
    double[] reference = new double[300];
    double[] small = new double[300];
    double[] large = new double[300];
    for (int i = 0; i < 300; i++) {
      reference[i] = i;
      small[i] = i + 15;
      large[i] = i + 150;
    }
    double a = PopulationStability.psi(reference, small);
    double b = PopulationStability.psi(reference, large);

    assertThat(a).isPositive().isLessThan(0.1);
    assertThat(b).isGreaterThan(0.25).isGreaterThan(a);
  }
}
