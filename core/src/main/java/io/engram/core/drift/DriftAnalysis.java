package io.engram.core.drift;

import io.engram.contract.Drift.FeatureDrift;
import io.engram.core.training.TrainingSettings;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.commons.math3.random.Well19937c;
import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;

/**
 * Compares a recent window of query features with a reference window, feature by feature, and gives
 * the verdict (docs/drift.md):
 *
 * <ul>
 *   <li>a feature <b>drifts</b> when its PSI is above {@code psiDrift} <em>and</em> the two-sample
 *       Kolmogorov-Smirnov test rejects "same distribution" at {@code ksAlpha}: PSI says the shift
 *       is large, KS that it is not the noise of a few hundred queries;
 *   <li>it is <b>stable</b> when its PSI is below {@code psiStable}, otherwise <b>moderate</b>;
 *   <li>the windows <b>drift</b> when any feature does; with fewer than {@code minSample} queries
 *       in either window the verdict is <b>insufficient data</b> ({@code drift} null), never drift,
 *       whatever the figures (which are still computed, for the report).
 * </ul>
 */
public final class DriftAnalysis {

  public static final String DRIFT = "drift";
  public static final String MODERATE = "moderate";
  public static final String STABLE = "stable";
  public static final String INSUFFICIENT_DATA = "insufficient_data";

  /**
   * Seeds the random generator commons-math's KS test draws from for mid-sized samples (a Monte
   * Carlo p-value when the product of the sizes is below 10 000), so a check is repeatable.
   */
  private static final int KS_SEED = 20_261_205;

  private DriftAnalysis() {}

  /**
   * The verdict and the figures it rests on.
   *
   * @param drift true: drift; false: none; null: insufficient data
   * @param status {@link #DRIFT}, {@link #MODERATE} (no drift, some feature past {@code
   *     psiStable}), {@link #STABLE} or {@link #INSUFFICIENT_DATA}
   * @param features the figures of each feature both windows have at least two values of
   */
  public record Comparison(Boolean drift, String status, Map<Feature, FeatureDrift> features) {
    public Comparison {
      Objects.requireNonNull(status, "status");
      Map<Feature, FeatureDrift> copy = new EnumMap<>(Feature.class);
      copy.putAll(features);
      features = Collections.unmodifiableMap(copy);
    }
  }

  public static Comparison compare(
      List<QueryFeatures> reference, List<QueryFeatures> recent, TrainingSettings.Drift settings) {
    boolean enough =
        reference.size() >= settings.minSample() && recent.size() >= settings.minSample();
    Map<Feature, FeatureDrift> figures = new EnumMap<>(Feature.class);
    boolean drift = false;
    boolean moderate = false;
    for (Feature feature : Feature.values()) {
      double[] ref = values(reference, feature);
      double[] rec = values(recent, feature);
      if (ref.length < 2 || rec.length < 2) {
        continue;
      }
      FeatureDrift f = feature(ref, rec, settings);
      figures.put(feature, f);
      drift |= f.status().equals(DRIFT);
      moderate |= f.status().equals(MODERATE);
    }
    if (!enough) {
      return new Comparison(null, INSUFFICIENT_DATA, figures);
    }
    return new Comparison(drift, drift ? DRIFT : moderate ? MODERATE : STABLE, figures);
  }

  /** The figures and status of one feature's two samples. */
  static FeatureDrift feature(double[] reference, double[] recent, TrainingSettings.Drift s) {
    double psi = PopulationStability.psi(reference, recent);
    KolmogorovSmirnovTest ks = new KolmogorovSmirnovTest(new Well19937c(KS_SEED));
    double d = ks.kolmogorovSmirnovStatistic(reference, recent);
    // P(D >= d): commons-math's two-argument test computes P(D > d) for small samples, which is 0
    // when the samples do not overlap at all.
    double p = ks.kolmogorovSmirnovTest(reference, recent, false);
    String status;
    if (reference.length < s.minSample() || recent.length < s.minSample()) {
      status = INSUFFICIENT_DATA;
    } else if (psi > s.psiDrift() && p < s.ksAlpha()) {
      status = DRIFT;
    } else if (psi < s.psiStable()) {
      status = STABLE;
    } else {
      status = MODERATE;
    }
    return new FeatureDrift(psi, d, p, mean(reference), mean(recent), status);
  }

  private static double[] values(List<QueryFeatures> window, Feature feature) {
    List<Double> out = new ArrayList<>(window.size());
    for (QueryFeatures f : window) {
      Double v = f.value(feature);
      if (v != null && Double.isFinite(v)) {
        out.add(v);
      }
    }
    return out.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static double mean(double[] values) {
    double sum = 0;
    for (double v : values) {
      sum += v;
    }
    return sum / values.length;
  }
}
