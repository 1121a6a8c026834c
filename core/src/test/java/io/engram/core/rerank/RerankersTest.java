package io.engram.core.rerank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RerankersTest {

  @Test
  void the_default_is_the_bundled_linear_model() {
    assertThat(Rerankers.DEFAULT).isEqualTo(Rerankers.Kind.LINEAR);
    assertThat(Rerankers.fromEnvironment(Map.of()).name()).isEqualTo("linear-scifact-v1");
  }

  @Test
  void none_keeps_the_fusion_order() {
    assertThat(Rerankers.fromEnvironment(Map.of(Rerankers.ENV_RERANKER, "None")))
        .isSameAs(Reranker.NONE);
  }

  @Test
  void an_unknown_kind_names_the_accepted_ones() {
    assertThatThrownBy(() -> Rerankers.fromEnvironment(Map.of(Rerankers.ENV_RERANKER, "onnx")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[none, linear]")
        .hasMessageContaining("'onnx'");
  }

  @Test
  void a_linear_model_file_replaces_the_bundled_one(@TempDir Path dir) throws Exception {
    double[] ones = new double[RerankFeatures.COUNT];
    Arrays.fill(ones, 1);
    Path file = dir.resolve("custom.json");
    Files.writeString(file, new LinearReranker("custom-v2", ones, ones, ones, null).toJson());
    Reranker reranker =
        Rerankers.fromEnvironment(
            Map.of(Rerankers.ENV_RERANKER, "linear", Rerankers.ENV_LINEAR_MODEL, file.toString()));
    assertThat(reranker.name()).isEqualTo("custom-v2");
  }
}
