package io.engram.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MetricsTest {

  @Test
  void percentile_is_nearest_rank() {
    double[] sorted = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    assertThat(Metrics.percentile(sorted, 50)).isEqualTo(5);
    assertThat(Metrics.percentile(sorted, 95)).isEqualTo(10);
    assertThat(Metrics.percentile(new double[0], 50)).isZero();
  }
}
