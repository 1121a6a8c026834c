package io.engram.activities.ingestion;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class IngestionMetricsTest {

  @Test
  void counts_documents_by_outcome_chunks_and_skips_with_low_cardinality_tags() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    IngestionMetrics metrics = new IngestionMetrics(registry);

    metrics.discovered(7, Duration.ofMillis(30));
    metrics.batch(30, 2, 65, Duration.ofSeconds(4));
    metrics.batch(10, 0, 20, Duration.ofSeconds(2));

    assertThat(registry.get(IngestionMetrics.DOCUMENTS).tag("outcome", "done").counter().count())
        .isEqualTo(40);
    assertThat(registry.get(IngestionMetrics.DOCUMENTS).tag("outcome", "failed").counter().count())
        .isEqualTo(2);
    assertThat(registry.get(IngestionMetrics.CHUNKS).counter().count()).isEqualTo(85);
    assertThat(registry.get(IngestionMetrics.SKIPPED).counter().count()).isEqualTo(7);
    assertThat(
            registry.get(IngestionMetrics.ACTIVITY_TIME).tag("activity", "batch").timer().count())
        .isEqualTo(2);
    assertThat(registry.getMeters())
        .allSatisfy(
            m ->
                assertThat(m.getId().getTags())
                    .allSatisfy(t -> assertThat(t.getKey()).isIn("outcome", "activity")));
  }
}
