package io.engram.core.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engram.core.rerank.LinearReranker;
import io.engram.core.rerank.PairwiseFit;
import io.engram.core.rerank.Reranker;
import io.engram.core.retrieval.RetrievalSettings;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrialEvaluatorTest {

  @Test
  void the_bundled_reranker_records_the_recipe_it_was_cross_validated_with() {
    LinearReranker bundled = LinearReranker.fromResource(LinearReranker.DEFAULT_RESOURCE);

    assertThat(TrialEvaluator.recipe(bundled)).isEqualTo(new PairwiseFit.Params(0.01, 100));
    assertThat(TrialEvaluator.recipe(Reranker.NONE)).isNull();
  }

  @Test
  void settings_read_from_a_trial_and_back() {
    Map<String, Object> values = new HashMap<>();
    values.put("mode", "dense");
    values.put("denseWeight", 0.5);
    values.put("candidates", 120);
    values.put("maxLexemeShare", "0.05");
    values.put("reranker", "trained");
    values.put("l2", 0.1);
    values.put("negativeDepth", 40);

    TrialEvaluator.Settings s = TrialEvaluator.Settings.of(values);

    assertThat(s.mode()).isEqualTo(RetrievalSettings.Mode.DENSE);
    assertThat(s.maxLexemeShare()).isEqualTo(0.05);
    assertThat(s.reranker()).isEqualTo(TrialEvaluator.RerankerChoice.TRAINED);
    assertThat(s.retrieval().rerank()).isTrue();
    assertThat(TrialEvaluator.Settings.of(s.toMap())).isEqualTo(s);
    values.remove("l2");
    assertThatThrownBy(() -> TrialEvaluator.Settings.of(values))
        .hasMessageContaining("'l2' is missing");
  }

  @Test
  void folds_spread_the_queries() {
    int[] counts = new int[TrialEvaluator.FOLDS];
    for (int i = 0; i < 800; i++) {
      counts[TrialEvaluator.fold(String.valueOf(i))]++;
    }
    for (int c : counts) {
      assertThat(c).isBetween(150, 250);
    }
  }
}
