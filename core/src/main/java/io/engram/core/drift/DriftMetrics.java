package io.engram.core.drift;

import io.engram.contract.Drift.FeatureDrift;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Drift checks as metrics: each process exports the figures of the last check it ran of each
 * collection (the API for {@code POST /v1/drift/checks}, the worker for the schedule's). Tags are
 * the collection and the feature, both few.
 */
public final class DriftMetrics {
  /** PSI of a feature's recent values against its reference values. */
  public static final String PSI = "engram.drift.psi";

  /** p-value of the two-sample Kolmogorov-Smirnov test of a feature. */
  public static final String KS_P_VALUE = "engram.drift.ks.p.value";

  /** The last verdict: 1 drift, 0 no drift, -1 insufficient data. */
  public static final String VERDICT = "engram.drift.verdict";

  /** Queries in the last check's windows ({@code window} = {@code reference} or {@code recent}). */
  public static final String WINDOW = "engram.drift.window.queries";

  /**
   * When the check of the last verdict ran, in seconds since the epoch: every process keeps the
   * verdict of the last check it ran, and the newest of them is the collection's.
   */
  public static final String CHECKED = "engram.drift.checked.seconds";

  /** Checks run, by collection and status. */
  public static final String CHECKS = "engram.drift.checks";

  public static final String TAG_COLLECTION = "collection";
  public static final String TAG_FEATURE = "feature";
  public static final String TAG_WINDOW = "window";
  public static final String TAG_STATUS = "status";

  /** A gauge's current value; gauges hold it weakly, this class strongly. */
  private static final class Value {
    volatile double value = Double.NaN;
  }

  private final MeterRegistry registry;
  private final Map<String, Value> values = new ConcurrentHashMap<>();

  public DriftMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Exports the figures of a stored check. */
  public void exported(DriftReport r) {
    String c = r.collection();
    set(
        VERDICT,
        "The last drift verdict: 1 drift, 0 no drift, -1 insufficient data",
        r.drift() == null ? -1 : r.drift() ? 1 : 0,
        TAG_COLLECTION,
        c);
    set(
        CHECKED,
        "When the check of the last drift verdict ran, in seconds since the epoch",
        r.createdAt().toEpochMilli() / 1000.0,
        TAG_COLLECTION,
        c);
    set(
        WINDOW,
        "Queries in the last drift check's window",
        r.referenceSize(),
        TAG_COLLECTION,
        c,
        TAG_WINDOW,
        "reference");
    set(
        WINDOW,
        "Queries in the last drift check's window",
        r.recentSize(),
        TAG_COLLECTION,
        c,
        TAG_WINDOW,
        "recent");
    for (Feature f : Feature.values()) {
      FeatureDrift d = r.features().get(f);
      set(
          PSI,
          "Population stability index of a query feature, recent against reference",
          d == null ? Double.NaN : d.psi(),
          TAG_COLLECTION,
          c,
          TAG_FEATURE,
          f.wireName());
      set(
          KS_P_VALUE,
          "p-value of the two-sample Kolmogorov-Smirnov test of a query feature",
          d == null ? Double.NaN : d.pValue(),
          TAG_COLLECTION,
          c,
          TAG_FEATURE,
          f.wireName());
    }
    Counter.builder(CHECKS)
        .description("Drift checks run, by collection and status")
        .tag(TAG_COLLECTION, c)
        .tag(TAG_STATUS, r.status())
        .register(registry)
        .increment();
  }

  private void set(String name, String description, double value, String... tags) {
    String key = name + String.join("\u0000", tags);
    Value holder =
        values.computeIfAbsent(
            key,
            k -> {
              Value v = new Value();
              Gauge.builder(name, v, x -> x.value)
                  .description(description)
                  .tags(tags)
                  .register(registry);
              return v;
            });
    holder.value = value;
  }
}
