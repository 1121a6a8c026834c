package io.engram.activities.ingestion;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.core.index.IndexVersions;
import io.engram.core.ingestion.IngestionValidation;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
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
                    .allSatisfy(
                        t -> assertThat(t.getKey()).isIn("outcome", "activity", "problem")));
  }

  @Test
  void counts_what_validation_found_wrong_by_problem() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    IngestionMetrics metrics = new IngestionMetrics(registry);

    metrics.validated(report(2, 1, IndexVersions.HnswIndex.VALID), Duration.ofMillis(80));
    metrics.validated(report(0, 0, IndexVersions.HnswIndex.MISSING), Duration.ofMillis(60));
    metrics.validated(report(1, 0, IndexVersions.HnswIndex.INVALID), Duration.ofMillis(70));

    assertThat(problems(registry, "incomplete")).isEqualTo(3);
    assertThat(problems(registry, "unreachable")).isEqualTo(1);
    assertThat(problems(registry, "index")).isEqualTo(2);
    assertThat(
            registry
                .get(IngestionMetrics.ACTIVITY_TIME)
                .tag("activity", "validate")
                .timer()
                .count())
        .isEqualTo(3);
  }

  private static IngestionValidation.Report report(
      int incomplete, int unreachable, IndexVersions.HnswIndex hnswIndex) {
    return new IngestionValidation.Report(
        40, incomplete, List.of(), 16, unreachable, hnswIndex, List.of());
  }

  private static double problems(SimpleMeterRegistry registry, String problem) {
    return registry
        .get(IngestionMetrics.VALIDATION_PROBLEMS)
        .tag("problem", problem)
        .counter()
        .count();
  }
}
