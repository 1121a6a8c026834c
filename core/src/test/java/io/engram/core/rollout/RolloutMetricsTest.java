package io.engram.core.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RolloutMetricsTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final RolloutMetrics metrics = new RolloutMetrics(registry);

  private Double phase(String collection, String phase) {
    Gauge gauge =
        registry.find(RolloutMetrics.PHASE).tags("collection", collection, "phase", phase).gauge();
    return gauge == null ? null : gauge.value();
  }

  @Test
  void the_phase_gauge_is_one_for_each_collections_phase_and_zero_for_the_others() {
    metrics.phases(Map.of("zoo", Phase.CANARY, "notes", Phase.DECIDED));

    assertThat(phase("zoo", Phase.CANARY)).isEqualTo(1.0);
    assertThat(phase("zoo", Phase.SHADOW)).isEqualTo(0.0);
    assertThat(phase("zoo", Phase.AWAITING_APPROVAL)).isEqualTo(0.0);
    assertThat(phase("zoo", Phase.DECIDED)).isEqualTo(0.0);
    assertThat(phase("notes", Phase.DECIDED)).isEqualTo(1.0);
    assertThat(phase("notes", Phase.CANARY)).isEqualTo(0.0);
  }

  @Test
  void a_refresh_moves_the_phase_and_drops_collections_that_are_gone() {
    metrics.phases(Map.of("zoo", Phase.SHADOW, "notes", Phase.DECIDED));

    metrics.phases(Map.of("zoo", Phase.AWAITING_APPROVAL));

    assertThat(phase("zoo", Phase.SHADOW)).isEqualTo(0.0);
    assertThat(phase("zoo", Phase.AWAITING_APPROVAL)).isEqualTo(1.0);
    assertThat(phase("notes", Phase.DECIDED)).isNull();
  }
}
