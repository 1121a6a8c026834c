package io.engram.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PinnedParamsTest {

  @Test
  void reads_name_value_pairs_in_order_across_repeated_options() {
    Map<String, String> params =
        PinnedParams.parse(List.of("mode=dense, denseWeight = 0.6", "reranker=none,"));

    assertThat(params)
        .containsExactly(
            Map.entry("mode", "dense"),
            Map.entry("denseWeight", "0.6"),
            Map.entry("reranker", "none"));
  }

  @Test
  void no_option_pins_nothing() {
    assertThat(PinnedParams.parse(List.of())).isEmpty();
  }

  @Test
  void a_value_may_hold_an_equals_sign() {
    assertThat(PinnedParams.parse(List.of("a=b=c"))).containsExactly(Map.entry("a", "b=c"));
  }

  @Test
  void malformed_items_are_named_in_the_error() {
    assertThatThrownBy(() -> PinnedParams.parse(List.of("mode=dense,denseWeight")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'denseWeight' has no '='");
    assertThatThrownBy(() -> PinnedParams.parse(List.of("=0.5")))
        .hasMessageContaining("'=0.5' has no name");
    assertThatThrownBy(() -> PinnedParams.parse(List.of("l2=")))
        .hasMessageContaining("'l2=' has no value; write l2=VALUE");
    assertThatThrownBy(() -> PinnedParams.parse(List.of("l2=1", "l2=2")))
        .hasMessageContaining("names 'l2' twice");
    assertThatThrownBy(() -> PinnedParams.parse(List.of(" , ")))
        .hasMessageContaining("--params is empty");
  }
}
