package io.engram.core.drift;

import java.util.Arrays;

/**
 * The population stability index of a recent sample against a reference sample: the reference's
 * quantiles cut the line into {@link #BINS} bins, and {@code PSI = Σ (r_i − q_i) · ln(r_i / q_i)}
 * over the bins, with {@code q_i} and {@code r_i} the shares of the reference and of the recent
 * sample in bin {@code i}. An empty bin counts as a share of {@link #EPSILON}, so the logarithm is
 * defined and a bin the reference never filled weighs heavily once the recent sample does.
 *
 * <p>Cut points are the reference's lower empirical quantiles {@code j/BINS}, {@code j = 1..BINS−1}
 * (the value at sorted position {@code ⌈j·n/BINS⌉}); bins are {@code (−∞, c_1]}, {@code (c_1,
 * c_2]}, …, {@code (c_{k−1}, ∞)}. Equal cut points, as a feature with few distinct values gives,
 * are kept once, so such a feature has fewer, wider bins rather than empty ones by construction.
 */
public final class PopulationStability {
  /** Bins of the reference's quantiles. */
  public static final int BINS = 10;

  /** The share an empty bin counts as. */
  public static final double EPSILON = 1e-4;

  private PopulationStability() {}

  /** The PSI of {@code recent} against {@code reference}; both must be non-empty. */
  public static double psi(double[] reference, double[] recent) {
    if (reference.length == 0 || recent.length == 0) {
      throw new IllegalArgumentException("PSI needs two non-empty samples");
    }
    double[] cuts = cutPoints(reference);
    double[] expected = shares(reference, cuts);
    double[] actual = shares(recent, cuts);
    double psi = 0;
    for (int i = 0; i < expected.length; i++) {
      psi += (actual[i] - expected[i]) * Math.log(actual[i] / expected[i]);
    }
    return psi;
  }

  /** The reference's quantile cut points, ascending, without repeats. */
  static double[] cutPoints(double[] reference) {
    double[] sorted = reference.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    double[] cuts = new double[BINS - 1];
    int k = 0;
    for (int j = 1; j < BINS; j++) {
      int position = (int) Math.ceil((double) j * n / BINS);
      double cut = sorted[Math.max(position, 1) - 1];
      if (k == 0 || cut > cuts[k - 1]) {
        cuts[k++] = cut;
      }
    }
    return Arrays.copyOf(cuts, k);
  }

  /**
   * The share of {@code values} in each bin the cut points make, empty bins at {@link #EPSILON}.
   */
  static double[] shares(double[] values, double[] cuts) {
    double[] counts = new double[cuts.length + 1];
    for (double v : values) {
      // The first cut point at or above v: v lies in (c_{i-1}, c_i].
      int i = Arrays.binarySearch(cuts, v);
      counts[i >= 0 ? i : -i - 1]++;
    }
    for (int i = 0; i < counts.length; i++) {
      counts[i] = counts[i] == 0 ? EPSILON : counts[i] / values.length;
    }
    return counts;
  }
}
