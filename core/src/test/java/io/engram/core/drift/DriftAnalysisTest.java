package io.engram.core.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.engram.contract.Drift.FeatureDrift;
import io.engram.core.drift.DriftAnalysis.Comparison;
import io.engram.core.training.TrainingSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;
import org.junit.jupiter.api.Test;

class DriftAnalysisTest {

  /** The defaults: window 300, minimum sample 200, PSI 0.1 / 0.25, KS alpha 0.01. */
  private static final TrainingSettings.Drift SETTINGS =
      new TrainingSettings.Drift(300, 200, 0.1, 0.25, 0.01);

  @Test
  void ks_of_two_disjoint_samples_of_five_is_the_exact_published_value() {
    // R: ks.test(1:5, 6:10) gives D = 1, p-value = 0.007937 (exact: 2 of the C(10,5) = 252
    // orderings separate the samples completely).
    FeatureDrift f =
        DriftAnalysis.feature(
            new double[] {1, 2, 3, 4, 5}, new double[] {6, 7, 8, 9, 10}, SETTINGS);

    assertThat(f.ksStatistic()).isEqualTo(1.0);
    assertThat(f.pValue()).isCloseTo(2.0 / 252, within(1e-12));
    assertThat(f.referenceMean()).isEqualTo(3.0);
    assertThat(f.recentMean()).isEqualTo(8.0);
    // Five values are not a sample to judge by.
    assertThat(f.status()).isEqualTo(DriftAnalysis.INSUFFICIENT_DATA);
  }

  @Test
  void ks_of_large_samples_follows_the_kolmogorov_distribution() {
    // 0..299 against 60..359: the empirical CDFs differ by at most 60/300 = 0.2. With n = m = 300,
    // lambda = D sqrt(nm / (n + m)) = 0.2 sqrt(150) = 2.449490 and
    // p = 2 sum (-1)^(k-1) exp(-2 k^2 lambda^2) = 2 exp(-12) - ... = 1.228842e-5.
    double[] reference = new double[300];
    double[] recent = new double[300];
    for (int i = 0; i < 300; i++) {
      reference[i] = i;
      recent[i] = i + 60;
    }
    FeatureDrift f = DriftAnalysis.feature(reference, recent, SETTINGS);

    assertThat(f.ksStatistic()).isCloseTo(0.2, within(1e-12));
    assertThat(f.pValue()).isCloseTo(1.228842e-5, within(1e-10));
    // The same as commons-math's documented asymptotic approximation.
    assertThat(f.pValue())
        .isCloseTo(new KolmogorovSmirnovTest().approximateP(0.2, 300, 300), within(1e-15));
  }

  @Test
  void a_large_significant_shift_is_drift() {
    Comparison c = DriftAnalysis.compare(window(300, 0, 1), window(300, 3, 1), SETTINGS);

    assertThat(c.drift()).isTrue();
    assertThat(c.status()).isEqualTo(DriftAnalysis.DRIFT);
    FeatureDrift dense = c.features().get(Feature.TOP_DENSE_SCORE);
    assertThat(dense.psi()).isGreaterThan(0.25);
    assertThat(dense.pValue()).isLessThan(0.01);
    assertThat(dense.status()).isEqualTo(DriftAnalysis.DRIFT);
    assertThat(c.features()).containsOnlyKeys(Feature.values());
  }

  @Test
  void samples_of_one_distribution_are_stable() {
    Comparison c = DriftAnalysis.compare(window(300, 0, 1), window(300, 0, 2), SETTINGS);

    assertThat(c.drift()).isFalse();
    assertThat(c.status()).isEqualTo(DriftAnalysis.STABLE);
    c.features().values().forEach(f -> assertThat(f.psi()).isLessThan(0.1));
  }

  @Test
  void too_few_queries_in_either_window_is_insufficient_data_never_drift() {
    // A shift that would be drift with enough queries.
    Comparison fewRecent = DriftAnalysis.compare(window(300, 0, 1), window(199, 3, 1), SETTINGS);
    Comparison fewReference = DriftAnalysis.compare(window(150, 0, 1), window(300, 3, 1), SETTINGS);
    Comparison none = DriftAnalysis.compare(List.of(), List.of(), SETTINGS);

    for (Comparison c : List.of(fewRecent, fewReference)) {
      assertThat(c.drift()).isNull();
      assertThat(c.status()).isEqualTo(DriftAnalysis.INSUFFICIENT_DATA);
      // The figures are still there for the report.
      assertThat(c.features().get(Feature.TOP_DENSE_SCORE).psi()).isGreaterThan(0.25);
    }
    assertThat(none.drift()).isNull();
    assertThat(none.features()).isEmpty();
  }

  @Test
  void a_large_psi_that_ks_does_not_confirm_is_not_drift() {
    TrainingSettings.Drift s = new TrainingSettings.Drift(10, 10, 0.1, 0.25, 0.01);
    // Ten values: the PSI of {1..10} against a sample piled in the first bin is large, but ten
    // queries against ten cannot reject at alpha = 0.01.
    double[] reference = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    double[] recent = {1, 1, 2, 2, 3, 3, 4, 5, 6, 7};
    FeatureDrift f = DriftAnalysis.feature(reference, recent, s);

    assertThat(f.psi()).isGreaterThan(0.25);
    assertThat(f.pValue()).isGreaterThan(0.01);
    assertThat(f.status()).isEqualTo(DriftAnalysis.MODERATE);
  }

  @Test
  void a_significant_shift_with_a_small_psi_is_moderate_not_drift() {
    TrainingSettings.Drift s = new TrainingSettings.Drift(100_000, 200, 0.1, 0.25, 0.01);
    // With 20 000 queries each, a shift of a tenth of a standard deviation is highly significant,
    // but small: PSI about 0.01.
    double[] reference = normal(20_000, 0, 1);
    double[] recent = normal(20_000, 0.1, 2);
    FeatureDrift f = DriftAnalysis.feature(reference, recent, s);

    assertThat(f.pValue()).isLessThan(0.01);
    assertThat(f.psi()).isLessThan(0.25);
    assertThat(f.status()).isNotEqualTo(DriftAnalysis.DRIFT);
  }

  @Test
  void a_feature_missing_from_a_window_is_left_out() {
    List<QueryFeatures> reference = new ArrayList<>();
    for (int i = 0; i < 250; i++) {
      reference.add(new QueryFeatures(5, 0, null, null, null));
    }
    Comparison c = DriftAnalysis.compare(reference, reference, SETTINGS);

    assertThat(c.features()).containsOnlyKeys(Feature.QUERY_TERMS, Feature.UNKNOWN_TERM_SHARE);
    assertThat(c.drift()).isFalse();
  }

  /** n queries whose features are normal around fixed means, shifted by {@code shift} sigmas. */
  private static List<QueryFeatures> window(int n, double shift, long seed) {
    Random random = new Random(seed);
    List<QueryFeatures> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(
          new QueryFeatures(
              8 + (int) Math.round(2 * (random.nextGaussian() + shift)),
              Math.min(1, Math.max(0, 0.1 + 0.05 * (random.nextGaussian() + shift))),
              0.6 + 0.05 * (random.nextGaussian() - shift),
              0.9 + 0.03 * (random.nextGaussian() - shift),
              0.2 + 0.05 * (random.nextGaussian() - shift)));
    }
    return out;
  }

  private static double[] normal(int n, double mean, long seed) {
    Random random = new Random(seed);
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = mean + random.nextGaussian();
    }
    return out;
  }
}
