package io.engram.core.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import io.engram.core.evaluation.AnswerMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * What every way of turning texts into vectors promises, run against each in-process model and
 * against {@link CachedEmbedder} in front of one, each by a small subclass: one vector per text, in
 * order, of the dimension {@link EmbeddingModels} declares for the model; a direction for every
 * text (pgvector's cosine distance is undefined for a zero vector); the same vector for the same
 * text, alone or in a batch; a blank text refused rather than embedded; and texts about the same
 * thing closer than unrelated ones.
 *
 * <p>The vectors are compared by cosine, as every consumer compares them (pgvector's {@code <=>},
 * {@link AnswerMetrics#cosine}), so unit length is not part of the contract.
 */
abstract class EmbedderContract {

  /** Close enough for floats that went through ONNX Runtime or a pgvector round trip. */
  private static final Offset<Float> SAME = Offset.offset(1e-5f);

  /** The model's name in {@link EmbeddingModels}. */
  protected abstract String modelName();

  /** One vector per text, in order, from the implementation under test. */
  protected abstract List<float[]> embed(List<String> texts) throws Exception;

  /** The in-process model's vectors, the way the query path and the ingestion batches ask. */
  protected static List<float[]> embedAll(EmbeddingModel model, List<String> texts) {
    return model.embedAll(texts.stream().map(TextSegment::from).toList()).content().stream()
        .map(Embedding::vector)
        .toList();
  }

  /**
   * Texts unique to one test and one subclass, so that a cache in front of the model starts cold
   * for each test.
   */
  private String text(String base) {
    return base + " (" + getClass().getSimpleName() + ")";
  }

  @Test
  void one_vector_per_text_of_the_declared_dimension() throws Exception {
    List<String> texts =
        List.of(
            text("What causes myelin loss?"),
            text("Aspirin reduces the risk of a first heart attack."),
            text("x"));

    List<float[]> vectors = embed(texts);

    int dimension = EmbeddingModels.spec(modelName()).dimension();
    assertThat(vectors).hasSize(texts.size()).allSatisfy(v -> assertThat(v).hasSize(dimension));
  }

  @Test
  void every_vector_has_a_direction() throws Exception {
    List<float[]> vectors = embed(List.of(text("a"), text("Coffee and the liver.")));

    for (float[] v : vectors) {
      double squares = 0;
      for (float f : v) {
        assertThat(f).isFinite();
        squares += (double) f * f;
      }
      assertThat(squares).isPositive();
    }
  }

  @Test
  void the_same_text_gets_the_same_vector_every_time() throws Exception {
    String text = text("Glaciers retreat as summers warm.");

    float[] first = embed(List.of(text)).get(0);
    float[] second = embed(List.of(text)).get(0);

    assertThat(second).containsExactly(first, SAME);
  }

  @Test
  void a_batch_gives_each_text_the_vector_it_gets_alone() throws Exception {
    String a = text("Vitamin D and bone fractures.");
    String b = text("Statins lower cholesterol.");
    String c = text("Sleep deprivation impairs memory.");
    float[] aloneA = embed(List.of(a)).get(0);
    float[] aloneB = embed(List.of(b)).get(0);
    float[] aloneC = embed(List.of(c)).get(0);

    // Out of order and with a repeat: each position must get its own text's vector.
    List<float[]> batch = embed(List.of(c, a, b, a));

    assertThat(batch).hasSize(4);
    assertThat(batch.get(0)).containsExactly(aloneC, SAME);
    assertThat(batch.get(1)).containsExactly(aloneA, SAME);
    assertThat(batch.get(2)).containsExactly(aloneB, SAME);
    assertThat(batch.get(3)).containsExactly(aloneA, SAME);
  }

  @Test
  void a_blank_text_is_refused_alone_and_in_a_batch() {
    assertThatThrownBy(() -> embed(List.of(""))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> embed(List.of(text("A real sentence."), "   ")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * {@link EmbeddableText} says beforehand what the model will refuse: a text of nothing but
   * invisible characters (the cause of a query answered 500 and of an ingestion batch retried until
   * it failed); what it lets through, the model embeds.
   */
  @Test
  void it_refuses_exactly_the_texts_embeddable_text_calls_unreadable() throws Exception {
    List<String> unreadable =
        List.of(
            "\u200b",
            "\ufeff",
            "\u00a0",
            "\u202e\u200b",
            "\u3000",
            "\u2028",
            "\u0301",
            "\ufffd",
            "\ue000",
            "\u0007\t\n");
    for (String text : unreadable) {
      assertThat(EmbeddableText.isReadable(text)).as(escaped(text)).isFalse();
      assertThatThrownBy(() -> embed(List.of(text)))
          .as(escaped(text))
          .isInstanceOf(IllegalArgumentException.class);
    }
    // Letters that show as nothing: the model reads them as unknown tokens, but a text of them
    // alone is blank to whoever reads it, and turned away too.
    for (String text : List.of("\u3164", "\u115f\u1160", "\uffa0", "\u2800\u2800")) {
      assertThat(EmbeddableText.isReadable(text)).as(escaped(text)).isFalse();
    }
    List<String> readable = List.of("\u00e9", "e\u0301", "\u4e2d", "\ud83d\ude42", "x\u200b", "7");
    for (String text : readable) {
      assertThat(EmbeddableText.isReadable(text)).as(escaped(text)).isTrue();
      assertThat(embed(List.of(text(text)))).as(escaped(text)).hasSize(1);
      assertThat(embed(List.of(text))).as(escaped(text)).hasSize(1);
    }
  }

  private static String escaped(String text) {
    StringBuilder out = new StringBuilder();
    text.codePoints().forEach(c -> out.append(String.format("U+%04X ", c)));
    return out.toString().strip();
  }

  @Test
  void texts_about_the_same_thing_are_closer_than_unrelated_ones() throws Exception {
    List<float[]> v =
        embed(
            List.of(
                text("How do plants make food from sunlight?"),
                text("Photosynthesis lets plants turn light into sugar."),
                text("The stock market fell sharply on Tuesday.")));

    double related = AnswerMetrics.cosine(v.get(0), v.get(1));
    double unrelated = AnswerMetrics.cosine(v.get(0), v.get(2));

    assertThat(related).isGreaterThan(unrelated);
  }

  @Test
  void concurrent_callers_get_what_a_single_caller_gets() throws Exception {
    List<String> texts =
        List.of(text("Concurrent one."), text("Concurrent two."), text("Concurrent three."));
    List<float[]> expected = embed(texts);

    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Callable<List<float[]>>> callers = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        callers.add(() -> embed(texts));
      }
      for (Future<List<float[]>> result : pool.invokeAll(callers)) {
        List<float[]> got = result.get();
        for (int i = 0; i < texts.size(); i++) {
          assertThat(got.get(i)).containsExactly(expected.get(i), SAME);
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
