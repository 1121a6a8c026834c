package io.engram.core.retrieval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.output.Response;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class QueryEmbeddingsTest {

  /** Counts calls; the vector encodes the text length so results are distinguishable. */
  private static final class CountingModel implements EmbeddingModel {
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public Response<List<Embedding>> embedAll(List<TextSegment> segments) {
      calls.addAndGet(segments.size());
      return Response.from(
          segments.stream().map(s -> Embedding.from(new float[] {s.text().length()})).toList());
    }
  }

  @Test
  void a_repeated_query_is_embedded_once() {
    CountingModel model = new CountingModel();
    QueryEmbeddings cache = new QueryEmbeddings(10);
    float[] first = cache.embed("m", model, "what is myelin");
    float[] second = cache.embed("m", model, "what is myelin");
    assertThat(second).isSameAs(first);
    assertThat(model.calls).hasValue(1);
    assertThat(cache.hits()).isEqualTo(1);
    assertThat(cache.misses()).isEqualTo(1);
  }

  @Test
  void the_cache_is_bounded_and_keyed_by_model() {
    CountingModel model = new CountingModel();
    QueryEmbeddings cache = new QueryEmbeddings(2);
    cache.embed("m", model, "a");
    cache.embed("m", model, "bb");
    cache.embed("other", model, "a");
    assertThat(cache.size()).isEqualTo(2);
    cache.embed("m", model, "a");
    assertThat(model.calls).hasValue(4);
  }
}
