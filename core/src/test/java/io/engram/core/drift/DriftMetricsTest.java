package io.engram.core.drift;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.contract.Drift.FeatureDrift;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DriftMetricsTest {

  private static DriftReport report(Boolean drift, Map<Feature, FeatureDrift> features) {
    return report(drift, features, Instant.EPOCH);
  }

  private static DriftReport report(
      Boolean drift, Map<Feature, FeatureDrift> features, Instant created) {
    return new DriftReport(
        1, "scifact", "v1", "first-served", 300, 280, drift, "drift", features, "api", created);
  }

  @Test
  void the_last_check_of_a_collection_is_exported_per_feature() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    DriftMetrics metrics = new DriftMetrics(registry);

    metrics.exported(
        report(
            true,
            Map.of(
                Feature.TOP_DENSE_SCORE,
                new FeatureDrift(0.8, 0.4, 1e-9, 0.6, 0.4, DriftAnalysis.DRIFT))));

    assertThat(
            registry
                .get(DriftMetrics.PSI)
                .tags("collection", "scifact", "feature", "top_dense_score")
                .gauge()
                .value())
        .isEqualTo(0.8);
    assertThat(
            registry
                .get(DriftMetrics.KS_P_VALUE)
                .tags("collection", "scifact", "feature", "top_dense_score")
                .gauge()
                .value())
        .isEqualTo(1e-9);
    // A feature the check had no figures for reads as not a number, not as stable.
    assertThat(
            registry
                .get(DriftMetrics.PSI)
                .tags("collection", "scifact", "feature", "query_terms")
                .gauge()
                .value())
        .isNaN();
    assertThat(registry.get(DriftMetrics.VERDICT).tags("collection", "scifact").gauge().value())
        .isEqualTo(1.0);
    assertThat(registry.get(DriftMetrics.WINDOW).tags("window", "recent").gauge().value())
        .isEqualTo(280.0);

    metrics.exported(report(null, Map.of(), Instant.ofEpochSecond(1_700_000_000, 500_000_000)));
    // With the verdict, when its check ran: the newest across processes is the collection's.
    assertThat(registry.get(DriftMetrics.CHECKED).tags("collection", "scifact").gauge().value())
        .isEqualTo(1_700_000_000.5);

    assertThat(registry.get(DriftMetrics.VERDICT).tags("collection", "scifact").gauge().value())
        .isEqualTo(-1.0);
    assertThat(
            registry
                .get(DriftMetrics.PSI)
                .tags("collection", "scifact", "feature", "top_dense_score")
                .gauge()
                .value())
        .isNaN();
    assertThat(registry.get(DriftMetrics.CHECKS).counter().count()).isEqualTo(2.0);
    // One gauge per collection and feature, however many checks ran.
    assertThat(registry.find(DriftMetrics.PSI).gauges()).hasSize(Feature.values().length);
  }
}
