package io.engram.core.rerank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engram.core.config.EngramSettings;
import io.engram.testing.TestCrossEncoders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RerankersTest {

  private static Reranker create(Map<String, String> env) {
    return Rerankers.create(EngramSettings.of(env).reranker());
  }

  @Test
  void the_default_is_the_bundled_linear_model() {
    assertThat(create(Map.of()).name()).isEqualTo("linear-scifact-v1");
  }

  @Test
  void none_keeps_the_fusion_order() {
    assertThat(create(Map.of(Rerankers.ENV_RERANKER, "None"))).isSameAs(Reranker.NONE);
  }

  @Test
  void a_linear_model_file_replaces_the_bundled_one(@TempDir Path dir) throws Exception {
    double[] ones = new double[RerankFeatures.COUNT];
    Arrays.fill(ones, 1);
    Path file = dir.resolve("custom.json");
    Files.writeString(file, new LinearReranker("custom-v2", ones, ones, ones, null).toJson());
    Reranker reranker =
        create(
            Map.of(Rerankers.ENV_RERANKER, "linear", Rerankers.ENV_LINEAR_MODEL, file.toString()));
    assertThat(reranker.name()).isEqualTo("custom-v2");
  }

  @Test
  void cross_encoder_is_built_from_its_directory_and_settings(@TempDir Path dir) {
    Path model = TestCrossEncoders.install(TestCrossEncoders.OVERLAP, dir.resolve("ms-marco"));
    for (String spelling : List.of("cross-encoder", "cross_encoder", "CROSS_ENCODER")) {
      Reranker reranker =
          create(
              Map.of(
                  Rerankers.ENV_RERANKER, spelling,
                  Rerankers.ENV_CROSS_ENCODER_DIR, model.toString(),
                  Rerankers.ENV_CROSS_ENCODER_TOP_N, "7",
                  Rerankers.ENV_CROSS_ENCODER_MAX_LENGTH, "128",
                  Rerankers.ENV_CROSS_ENCODER_BATCH_SIZE, "3",
                  Rerankers.ENV_ONNX_THREADS, "2"));
      assertThat(reranker).isInstanceOf(CrossEncoderReranker.class);
      CrossEncoderReranker crossEncoder = (CrossEncoderReranker) reranker;
      assertThat(crossEncoder.name()).isEqualTo("cross-encoder:ms-marco");
      assertThat(crossEncoder.settings())
          .isEqualTo(new CrossEncoderReranker.Settings(model, "ms-marco", 128, 7, 3, 2));
      crossEncoder.close();
    }
  }

  @Test
  void cross_encoder_numbers_must_be_positive_integers() {
    assertThatThrownBy(
            () ->
                create(
                    Map.of(
                        Rerankers.ENV_RERANKER, "cross-encoder",
                        Rerankers.ENV_CROSS_ENCODER_DIR, "/models/x",
                        Rerankers.ENV_CROSS_ENCODER_TOP_N, "twenty")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            Rerankers.ENV_CROSS_ENCODER_TOP_N
                + " must be a whole number in [1, 1000], got 'twenty'");
    assertThatThrownBy(
            () ->
                create(
                    Map.of(
                        Rerankers.ENV_CROSS_ENCODER_DIR, "/models/x",
                        Rerankers.ENV_CROSS_ENCODER_MAX_LENGTH, "0")))
        .hasMessageContaining(Rerankers.ENV_CROSS_ENCODER_MAX_LENGTH);
  }
}
