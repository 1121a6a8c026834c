package io.engram.core.rerank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.engram.core.retrieval.Candidate;
import io.engram.core.store.PgVectorChunkStore.ChunkHit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The linear model's own behaviour: loading, its JSON document, its scores and what its weights
 * prefer. What every reranker promises is checked by {@link LinearRerankerContractTest}.
 */
class LinearRerankerTest {

  private static final int F = RerankFeatures.COUNT;

  private static double[] filled(double v) {
    double[] a = new double[F];
    Arrays.fill(a, v);
    return a;
  }

  private static LinearReranker model(double[] weights) {
    return new LinearReranker("test-v1", new double[F], filled(1), weights, Map.of("seed", 1));
  }

  private static Candidate hit(long chunk, String title, String text, double score, int rank) {
    return new Candidate(
        new ChunkHit(chunk, chunk, "doc" + chunk, title, text, 0.8),
        score,
        new Candidate.Leg(0.5, 0.8, rank),
        new Candidate.Leg(0.5, 0.05, rank));
  }

  @Test
  void the_bundled_model_loads_and_names_itself() {
    LinearReranker reranker = LinearReranker.fromResource(LinearReranker.DEFAULT_RESOURCE);
    assertThat(reranker.name()).isEqualTo("linear-scifact-v1");
    assertThat(reranker.weights()).hasSize(F);
    assertThat(reranker.training())
        .containsEntry("dataset", "scifact")
        .containsEntry("split", "train")
        .containsEntry("part", "FIT")
        .containsKeys("queries", "date", "seed", "metrics", "hyperParameters");
  }

  @Test
  void a_model_survives_a_round_trip_through_json(@TempDir Path dir) throws Exception {
    double[] w = new double[F];
    for (int f = 0; f < F; f++) {
      w[f] = f - 3.5;
    }
    LinearReranker original = model(w);
    Path file = dir.resolve("m.json");
    Files.writeString(file, original.toJson());
    LinearReranker loaded = LinearReranker.fromFile(file);
    assertThat(loaded.name()).isEqualTo("test-v1");
    assertThat(loaded.weights()).containsExactly(w);
    assertThat(loaded.training()).containsEntry("seed", 1);
  }

  @Test
  void bad_json_is_a_clear_illegal_argument() {
    assertThatThrownBy(() -> LinearReranker.parse("{ not json", "m.json"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("m.json is not valid JSON");
    assertThatThrownBy(() -> LinearReranker.parse("[1, 2]", "m.json"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be a JSON object");
  }

  @Test
  void a_model_trained_on_other_features_is_refused() {
    String json = model(filled(1)).toJson().replace("\"log_siblings\",", "");
    assertThatThrownBy(() -> LinearReranker.parse(json, "old.json"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("old.json was trained on " + (F - 1) + " features")
        .hasMessageContaining("retrain");
  }

  @Test
  void wrong_vector_lengths_and_values_are_refused() {
    String good = model(filled(1)).toJson();
    String shortWeights = good.replaceFirst("\"weights\" : \\[ [^,]+,", "\"weights\" : [");
    assertThatThrownBy(() -> LinearReranker.parse(shortWeights, "m.json"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("weights must have " + F + " values");
    assertThatThrownBy(() -> new LinearReranker("x", new double[F], new double[F], filled(1), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be positive");
    assertThatThrownBy(
            () -> new LinearReranker("x", new double[F], filled(1), filled(Double.NaN), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not finite");
    assertThatThrownBy(
            () -> LinearReranker.parse(good.replace("\"format\" : 1", "\"format\" : 9"), "m"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("format 9");
    assertThatThrownBy(() -> LinearReranker.fromResource("rerank/missing.json"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no reranker model");
  }

  @Test
  void scores_are_the_logistic_of_the_linear_score() {
    LinearReranker reranker = LinearReranker.fromResource(LinearReranker.DEFAULT_RESOURCE);
    Random random = new Random(7);
    String[] words = {"tumor", "growth", "insulin", "cells", "mice", "risk", "therapy", "gene"};
    List<Candidate> candidates = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      StringBuilder text = new StringBuilder();
      for (int w = 0; w < 40; w++) {
        text.append(words[random.nextInt(words.length)]).append(' ');
      }
      // Some documents have two chunks among the candidates.
      long document = 5000 + i / 2;
      candidates.add(
          new Candidate(
              new ChunkHit(5000 + i, document, "d" + document, "t" + i, text.toString(), 0.8),
              random.nextDouble(),
              new Candidate.Leg(
                  random.nextDouble(),
                  0.6 + 0.3 * random.nextDouble(),
                  random.nextInt(3) == 0 ? 0 : i + 1),
              new Candidate.Leg(
                  random.nextDouble(),
                  0.1 * random.nextDouble(),
                  random.nextInt(2) == 0 ? 0 : i + 1)));
    }
    String query = "insulin therapy reduces tumor growth";
    List<Candidate> reranked = reranker.rerank(query, candidates);
    double[][] rows = RerankFeatures.extract(query, candidates);
    for (Candidate c : reranked) {
      int row = (int) (c.chunk().chunkId() - 5000);
      assertThat(c.score())
          .isCloseTo(1 / (1 + Math.exp(-reranker.score(rows[row]))), within(1e-12))
          .isStrictlyBetween(0.0, 1.0);
    }
  }

  @Test
  void the_learned_weights_put_a_title_match_above_an_otherwise_equal_candidate() {
    LinearReranker reranker = LinearReranker.fromResource(LinearReranker.DEFAULT_RESOURCE);
    String query = "Statin therapy lowers cardiovascular mortality";
    String text = "Patients were followed for five years in a randomized trial.";
    // Titles of the same length in terms; candidates equal in every leg score and rank.
    Candidate matching = hit(7001, "Statin therapy and cardiovascular mortality", text, 0.5, 1);
    Candidate other = hit(7002, "Dietary fibre and colorectal adenoma recurrence", text, 0.5, 1);
    for (List<Candidate> order : List.of(List.of(other, matching), List.of(matching, other))) {
      List<Candidate> reranked = reranker.rerank(query, order);
      assertThat(reranked.get(0).chunk().chunkId()).isEqualTo(7001L);
    }
  }

  @Test
  void equal_scores_keep_the_fusion_order() {
    LinearReranker flat = model(new double[F]);
    List<Candidate> candidates = List.of(hit(8001, "a", "x", 0.9, 1), hit(8002, "b", "y", 0.8, 2));
    assertThat(flat.rerank("q", candidates))
        .extracting(h -> h.chunk().chunkId())
        .containsExactly(8001L, 8002L);
  }
}
