package io.engram.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engram.api.query.RetrievalProperties;
import io.engram.core.rerank.CrossEncoderReranker;
import io.engram.core.rerank.Reranker;
import io.engram.core.rerank.Rerankers;
import io.engram.testing.TestCrossEncoders;
import io.micronaut.context.ApplicationContext;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RerankerWiringTest {

  @Test
  void the_api_reranks_with_the_bundled_learned_model_by_default() {
    try (ApplicationContext context = ApplicationContext.run(Map.of())) {
      assertThat(context.getBean(Reranker.class).name()).isEqualTo("linear-scifact-v1");
    }
  }

  @Test
  void engram_retrieval_reranker_none_keeps_the_fusion_order() {
    try (ApplicationContext context =
        ApplicationContext.run(Map.of("engram.retrieval.reranker", "none"))) {
      assertThat(context.getBean(Reranker.class)).isSameAs(Reranker.NONE);
    }
  }

  @Test
  void engram_retrieval_reranker_cross_encoder_loads_the_configured_directory(@TempDir Path tmp) {
    Path dir = TestCrossEncoders.install(TestCrossEncoders.OVERLAP, tmp.resolve("minilm"));
    for (String spelling : new String[] {"cross-encoder", "cross_encoder"}) {
      try (ApplicationContext context =
          ApplicationContext.run(
              Map.of(
                  "engram.retrieval.reranker",
                  spelling,
                  "engram.reranker.cross.encoder.dir",
                  dir.toString(),
                  "engram.reranker.cross.encoder.top.n",
                  "5",
                  "engram.reranker.cross.encoder.max.length",
                  "64"))) {
        assertThat(context.getBean(RetrievalProperties.class).reranker())
            .isEqualTo(Rerankers.Kind.CROSS_ENCODER);
        Reranker reranker = context.getBean(Reranker.class);
        assertThat(reranker.name()).isEqualTo("cross-encoder:minilm");
        assertThat(((CrossEncoderReranker) reranker).settings())
            .extracting(
                CrossEncoderReranker.Settings::topN, CrossEncoderReranker.Settings::maxLength)
            .containsExactly(5, 64);
        ((CrossEncoderReranker) reranker).close();
      }
    }
  }

  @Test
  void a_cross_encoder_without_its_files_stops_the_api_at_start_up(@TempDir Path tmp) {
    Path empty = tmp.resolve("empty");
    assertThatThrownBy(
            () ->
                ApplicationContext.run(
                    Map.of(
                        "engram.retrieval.reranker",
                        "cross-encoder",
                        "engram.reranker.cross.encoder.dir",
                        empty.toString())))
        .rootCause()
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(empty.toString())
        .hasMessageContaining("model.onnx");
  }
}
