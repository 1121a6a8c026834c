package io.engram.core.drift;

import io.engram.contract.Drift.FeatureDrift;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * A stored drift check of one collection ({@code drift_reports}).
 *
 * @param modelVersion the serving model version whose reference the recent queries were compared
 *     with
 * @param referenceSource where the reference came from (see {@link DriftReference.Window#source})
 * @param referenceSize queries in the reference window
 * @param recentSize queries in the recent window
 * @param drift true: drift; false: none; null: insufficient data
 * @param status see {@link DriftAnalysis.Comparison#status}
 * @param trigger {@link #SCHEDULE} or {@link #API}
 */
public record DriftReport(
    long id,
    String collection,
    String modelVersion,
    String referenceSource,
    int referenceSize,
    int recentSize,
    Boolean drift,
    String status,
    Map<Feature, FeatureDrift> features,
    String trigger,
    Instant createdAt) {

  /** Checked by the scheduled {@code DriftWorkflow}. */
  public static final String SCHEDULE = "schedule";

  /** Checked on request, {@code POST /v1/drift/checks} ({@code ./engram drift check}). */
  public static final String API = "api";

  public DriftReport {
    Map<Feature, FeatureDrift> copy = new EnumMap<>(Feature.class);
    copy.putAll(features);
    features = Collections.unmodifiableMap(copy);
  }
}
