package io.engram.activities;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FailureReasonsTest {

  @Test
  void long_reasons_are_cut_to_the_bound_and_marked() {
    assertThat(FailureReasons.truncate("x".repeat(5000), 1000)).hasSize(1001).endsWith("…");
  }

  @Test
  void short_and_missing_reasons_stay_as_they_are() {
    assertThat(FailureReasons.truncate("short", 1000)).isEqualTo("short");
    assertThat(FailureReasons.truncate("x".repeat(1000), 1000)).isEqualTo("x".repeat(1000));
    assertThat(FailureReasons.truncate(null, 1000)).isNull();
  }
}
