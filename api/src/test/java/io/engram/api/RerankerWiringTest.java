package io.engram.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.core.rerank.Reranker;
import io.micronaut.context.ApplicationContext;
import java.util.Map;
import org.junit.jupiter.api.Test;

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
}
