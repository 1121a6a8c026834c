package io.engram.core.embedding;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.bgesmallenv15q.BgeSmallEnV15QuantizedEmbeddingModel;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The tuned sessions change how ONNX Runtime schedules threads, never the vectors. */
class JarOnnxEmbeddingModelTest {
  private static final List<String> TEXTS =
      List.of(
          "What causes myelin loss?",
          "Daily low-dose aspirin reduces the risk of a first heart attack in adults at high"
              + " cardiovascular risk. ".repeat(40));

  @Test
  void bge_vectors_equal_the_stock_models() {
    assertSameVectors(
        new BgeSmallEnV15QuantizedEmbeddingModel(), EmbeddingModels.get("bge-small-en-v1.5-q"));
  }

  @Test
  void minilm_vectors_equal_the_stock_models() {
    assertSameVectors(
        new AllMiniLmL6V2QuantizedEmbeddingModel(), EmbeddingModels.get("all-minilm-l6-v2-q"));
  }

  private static void assertSameVectors(EmbeddingModel stock, EmbeddingModel tuned) {
    assertThat(tuned.dimension()).isEqualTo(384);
    var expected = stock.embedAll(TEXTS.stream().map(TextSegment::from).toList()).content();
    var actual = tuned.embedAll(TEXTS.stream().map(TextSegment::from).toList()).content();
    for (int i = 0; i < TEXTS.size(); i++) {
      float[] e = expected.get(i).vector();
      float[] a = actual.get(i).vector();
      assertThat(a).hasSize(e.length);
      for (int j = 0; j < e.length; j++) {
        assertThat(a[j]).isCloseTo(e[j], org.assertj.core.data.Offset.offset(1e-5f));
      }
    }
  }
}
