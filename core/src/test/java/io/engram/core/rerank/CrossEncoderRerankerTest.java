package io.engram.core.rerank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.engram.core.retrieval.Candidate;
import io.engram.core.store.PgVectorChunkStore.ChunkHit;
import io.engram.testing.TestCrossEncoders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the reranker over the real ONNX Runtime and DJL tokenizer with the tiny test models of
 * {@link TestCrossEncoders}, whose logit is the share of the passage's wordpieces found in the
 * query: every expected score below is that share, through the logistic. What every reranker
 * promises is checked by {@link CrossEncoderRerankerContractTest}; this test holds what is the
 * cross-encoder's own (top N, truncation, batching, model formats, loading errors).
 */
class CrossEncoderRerankerTest {

  @TempDir static Path models;

  private static CrossEncoderReranker reranker;

  @BeforeAll
  static void load() {
    reranker = load(TestCrossEncoders.OVERLAP, 512, 20, 8);
  }

  @AfterAll
  static void close() {
    reranker.close();
  }

  private static CrossEncoderReranker load(String variant, int maxLength, int topN, int batch) {
    Path dir = TestCrossEncoders.install(variant, models.resolve(variant));
    return CrossEncoderReranker.load(
        new CrossEncoderReranker.Settings(dir, null, maxLength, topN, batch, 1));
  }

  private static Candidate hit(long id, String title, String text, double fusedScore) {
    return Candidate.fused(
        new ChunkHit(id, id, "doc-" + id, title, text, fusedScore), fusedScore, 0, 0);
  }

  private static double logistic(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  private static List<Long> ids(List<Candidate> hits) {
    return hits.stream().map(h -> h.chunk().chunkId()).toList();
  }

  @Test
  void the_passage_sharing_the_query_words_ranks_first_with_its_model_score() {
    List<Candidate> fused =
        List.of(
            hit(1, "", "birds sing songs at dawn", 0.9),
            hit(2, "", "dogs eat meat", 0.8),
            hit(3, "", "cats eat fish", 0.7));

    List<Candidate> reranked = reranker.rerank("do cats eat fish?", fused);

    assertThat(ids(reranked)).containsExactly(3L, 2L, 1L);
    assertThat(reranked.get(0).score()).isCloseTo(logistic(1.0), within(1e-6));
    assertThat(reranked.get(1).score()).isCloseTo(logistic(1.0 / 3), within(1e-6));
    assertThat(reranked.get(2).score()).isCloseTo(logistic(0.0), within(1e-6));
    assertThat(reranker.name()).isEqualTo("cross-encoder:" + TestCrossEncoders.OVERLAP);
  }

  @Test
  void the_title_is_part_of_the_passage_unless_the_text_starts_with_it() {
    List<Candidate> fused =
        List.of(hit(1, "Cats", "eat fish", 0.9), hit(2, "Cats eat", "Cats eat fish", 0.8));

    List<Candidate> reranked = reranker.rerank("cats eat", fused);

    // "cats" + "eat fish": 2 of 3 wordpieces in the query; the second text is not given its
    // title twice, so it scores 2 of 3 as well, and the tie keeps the fusion order.
    assertThat(ids(reranked)).containsExactly(1L, 2L);
    assertThat(reranked.get(0).score()).isCloseTo(logistic(2.0 / 3), within(1e-6));
    assertThat(reranked.get(1).score()).isCloseTo(logistic(2.0 / 3), within(1e-6));
  }

  @Test
  void returns_every_candidate_once_and_reorders_only_the_top_n() {
    List<Candidate> fused = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      // Position 3 and position 10 match the query fully; only position 3 is within the top 5.
      String text = i == 3 || i == 10 ? "cats eat fish" : "unrelated passage number " + i;
      fused.add(hit(100 + i, "", text, 1.0 - i / 100.0));
    }
    try (CrossEncoderReranker top5 = load(TestCrossEncoders.OVERLAP, 512, 5, 2)) {
      List<Candidate> reranked = top5.rerank("cats eat fish", fused);

      assertThat(reranked).hasSize(30);
      assertThat(ids(reranked))
          .doesNotHaveDuplicates()
          .containsExactlyInAnyOrderElementsOf(ids(fused));
      assertThat(ids(reranked).subList(0, 5)).containsExactly(103L, 100L, 101L, 102L, 104L);
      assertThat(reranked.get(0).score()).isCloseTo(logistic(1.0), within(1e-6));
      // Beyond the top 5: the same hits, fusion order and fusion scores.
      assertThat(reranked.subList(5, 30)).isEqualTo(fused.subList(5, 30));
      assertThat(reranked.get(10).score()).isEqualTo(fused.get(10).score());
    }
  }

  @Test
  void a_single_candidate_is_scored_by_the_model() {
    List<Candidate> one = List.of(hit(7, "", "cats", 0.4));
    assertThat(reranker.rerank("cats", one))
        .singleElement()
        .satisfies(
            h -> {
              assertThat(h.chunk().chunkId()).isEqualTo(7L);
              assertThat(h.score()).isCloseTo(logistic(1.0), within(1e-6));
            });
  }

  @Test
  void a_long_passage_is_truncated_at_the_max_length() {
    String passage = "cats" + " dogs".repeat(600);
    try (CrossEncoderReranker short16 = load(TestCrossEncoders.OVERLAP, 16, 20, 8)) {
      // [CLS] cats [SEP] + 12 passage wordpieces + [SEP] = 16: "cats" and 11 times "dogs".
      assertThat(short16.logits("cats", List.of(passage))[0]).isCloseTo(1.0 / 12, within(1e-6));
    }
    // At the default 512: 508 passage wordpieces.
    assertThat(reranker.logits("cats", List.of(passage))[0]).isCloseTo(1.0 / 508, within(1e-6));
  }

  @Test
  void batches_score_like_one_pair_at_a_time() {
    List<String> passages =
        IntStream.range(0, 23)
            .mapToObj(i -> "cats ".repeat(i % 5) + "dogs ".repeat(i % 7 + 1) + "eat")
            .toList();
    double[] batched;
    double[] single;
    try (CrossEncoderReranker by7 = load(TestCrossEncoders.OVERLAP, 512, 30, 7);
        CrossEncoderReranker by1 = load(TestCrossEncoders.OVERLAP, 512, 30, 1)) {
      batched = by7.logits("what do cats eat", passages);
      single = by1.logits("what do cats eat", passages);
    }
    assertThat(batched).containsExactly(single, within(1e-6));
    // The passages differ, so the check compares 23 distinct values, not one repeated.
    assertThat(java.util.Arrays.stream(single).distinct().count()).isGreaterThan(10);
  }

  @Test
  void two_class_and_token_type_free_models_score_like_the_standard_one() {
    List<String> passages = List.of("cats eat fish", "dogs eat meat", "birds sing", "cats");
    double[] standard = reranker.logits("cats eat", passages);
    try (CrossEncoderReranker twoClass = load(TestCrossEncoders.TWO_CLASS, 512, 20, 8);
        CrossEncoderReranker noTypes = load(TestCrossEncoders.NO_TOKEN_TYPES, 512, 20, 8)) {
      // Two classes (0, overlap): positive minus negative is the overlap itself.
      assertThat(twoClass.logits("cats eat", passages)).containsExactly(standard, within(1e-6));
      // ONNX Runtime rejects an input the model does not declare, so this also proves the
      // reranker fed no token_type_ids.
      assertThat(noTypes.feedsTokenTypes()).isFalse();
      assertThat(noTypes.logits("cats eat", passages)).containsExactly(standard, within(1e-6));
    }
    assertThat(reranker.feedsTokenTypes()).isTrue();
    assertThat(standard).containsExactly(new double[] {2.0 / 3, 1.0 / 3, 0, 1}, within(1e-6));
  }

  @Test
  void a_configured_name_replaces_the_directory_name() {
    Path dir = TestCrossEncoders.install(TestCrossEncoders.OVERLAP, models.resolve("named"));
    try (CrossEncoderReranker named =
        CrossEncoderReranker.load(
            new CrossEncoderReranker.Settings(dir, "ms-marco-minilm-v2", 512, 20, 8, 1))) {
      assertThat(named.name()).isEqualTo("cross-encoder:ms-marco-minilm-v2");
    }
  }

  @Test
  void a_missing_directory_is_named_with_what_it_must_hold(@TempDir Path tmp) {
    Path missing = tmp.resolve("nowhere");
    assertThatThrownBy(() -> CrossEncoderReranker.load(CrossEncoderReranker.Settings.of(missing)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("does not exist")
        .hasMessageContaining("model.onnx")
        .hasMessageContaining("tokenizer.json")
        .hasMessageContaining(Rerankers.ENV_CROSS_ENCODER_DIR);
  }

  @Test
  void a_missing_model_or_tokenizer_file_is_named(@TempDir Path tmp) throws Exception {
    Path noModel = TestCrossEncoders.install(TestCrossEncoders.OVERLAP, tmp.resolve("a"));
    Files.delete(noModel.resolve("model.onnx"));
    assertThatThrownBy(() -> CrossEncoderReranker.load(CrossEncoderReranker.Settings.of(noModel)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("has no model.onnx")
        .hasMessageContaining("optimum-cli export onnx");

    Path noTokenizer = TestCrossEncoders.install(TestCrossEncoders.OVERLAP, tmp.resolve("b"));
    Files.delete(noTokenizer.resolve("tokenizer.json"));
    assertThatThrownBy(
            () -> CrossEncoderReranker.load(CrossEncoderReranker.Settings.of(noTokenizer)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("has no tokenizer.json");
  }

  @Test
  void a_file_that_is_not_an_onnx_model_is_refused(@TempDir Path tmp) throws Exception {
    Path dir = TestCrossEncoders.install(TestCrossEncoders.OVERLAP, tmp.resolve("broken"));
    Files.writeString(dir.resolve("model.onnx"), "<html>404 Not Found</html>");
    assertThatThrownBy(() -> CrossEncoderReranker.load(CrossEncoderReranker.Settings.of(dir)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(dir.resolve("model.onnx").toString())
        .hasMessageContaining("not a model ONNX Runtime can load");
  }

  @Test
  void a_model_without_input_ids_is_refused_naming_its_inputs(@TempDir Path tmp) {
    Path dir = TestCrossEncoders.install(TestCrossEncoders.NO_INPUT_IDS, tmp.resolve("m"));
    assertThatThrownBy(() -> CrossEncoderReranker.load(CrossEncoderReranker.Settings.of(dir)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("model.onnx has inputs [ids, mask] but no input_ids");
  }

  @Test
  void an_output_of_three_logits_is_refused(@TempDir Path tmp) {
    Path dir = TestCrossEncoders.install(TestCrossEncoders.THREE_LOGITS, tmp.resolve("m"));
    assertThatThrownBy(() -> CrossEncoderReranker.load(CrossEncoderReranker.Settings.of(dir)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("output logits")
        .hasMessageContaining("[batch, 1]")
        .hasMessageContaining("[batch, 2]");
  }

  @Test
  void a_max_length_beyond_the_models_positions_is_refused(@TempDir Path tmp) throws Exception {
    Path bert = TestCrossEncoders.install(TestCrossEncoders.OVERLAP, tmp.resolve("bert"));
    Files.writeString(
        bert.resolve("config.json"),
        "{\"model_type\": \"bert\", \"max_position_embeddings\": 256}");
    assertThatThrownBy(() -> CrossEncoderReranker.load(CrossEncoderReranker.Settings.of(bert)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("max length 512 exceeds the 256 positions")
        .hasMessageContaining(Rerankers.ENV_CROSS_ENCODER_MAX_LENGTH + " to at most 256");

    // RoBERTa-family models lose two positions to the padding offset: 514 allow 512.
    Path roberta = TestCrossEncoders.install(TestCrossEncoders.OVERLAP, tmp.resolve("roberta"));
    Files.writeString(
        roberta.resolve("config.json"),
        "{\"model_type\": \"xlm-roberta\", \"max_position_embeddings\": 514}");
    try (CrossEncoderReranker ok =
        CrossEncoderReranker.load(CrossEncoderReranker.Settings.of(roberta))) {
      assertThat(ok.settings().maxLength()).isEqualTo(512);
    }
    assertThatThrownBy(
            () ->
                CrossEncoderReranker.load(
                    new CrossEncoderReranker.Settings(roberta, null, 513, 20, 8, 1)))
        .hasMessageContaining("exceeds the 512 positions");
  }

  @Test
  void settings_refuse_values_that_are_not_positive() {
    Path dir = models.resolve("any");
    assertThatThrownBy(() -> new CrossEncoderReranker.Settings(dir, null, 512, 0, 8, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("top N must be positive, got 0")
        .hasMessageContaining(Rerankers.ENV_CROSS_ENCODER_TOP_N);
    assertThatThrownBy(() -> new CrossEncoderReranker.Settings(dir, null, 2, 20, 8, 1))
        .hasMessageContaining("at least 4");
    assertThatThrownBy(() -> new CrossEncoderReranker.Settings(null, null, 512, 20, 8, 1))
        .hasMessageContaining(Rerankers.ENV_CROSS_ENCODER_DIR);
  }
}
