package io.engram.api.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.core.rerank.Rerankers;
import io.engram.core.retrieval.HybridRetriever;
import io.micronaut.context.ApplicationContext;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RetrievalPropertiesTest {

  @Test
  void defaults_are_hybrid_with_a_dense_leaning_fusion() {
    try (ApplicationContext context = ApplicationContext.run(Map.of())) {
      RetrievalProperties props = context.getBean(RetrievalProperties.class);
      assertThat(props.mode()).isEqualTo(HybridRetriever.Mode.HYBRID);
      assertThat(props.denseWeight()).isEqualTo(0.8);
      assertThat(props.candidates()).isEqualTo(100);
      assertThat(props.rerank()).isTrue();
      assertThat(props.reranker()).isEqualTo(Rerankers.Kind.LINEAR);
    }
  }

  @Test
  void the_reranker_can_be_switched_off() {
    try (ApplicationContext context =
        ApplicationContext.run(Map.of("engram.retrieval.reranker", "none"))) {
      RetrievalProperties props = context.getBean(RetrievalProperties.class);
      assertThat(props.reranker()).isEqualTo(Rerankers.Kind.NONE);
    }
  }

  @Test
  void binds_overrides_case_insensitively() {
    try (ApplicationContext context =
        ApplicationContext.run(
            Map.of(
                "engram.retrieval.mode", "dense",
                "engram.retrieval.dense-weight", "0.6",
                "engram.retrieval.candidates", "40",
                "engram.retrieval.reranker", "Linear"))) {
      RetrievalProperties props = context.getBean(RetrievalProperties.class);
      assertThat(props.mode()).isEqualTo(HybridRetriever.Mode.DENSE);
      assertThat(props.denseWeight()).isEqualTo(0.6);
      assertThat(props.candidates()).isEqualTo(40);
      assertThat(props.reranker()).isEqualTo(Rerankers.Kind.LINEAR);
    }
  }
}
