package io.engram.workers.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.engram.core.rollout.Rollout;
import io.engram.workers.bench.RolloutBenchmark.Answer;
import io.engram.workers.bench.RolloutBenchmark.ClickModel;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The simulator's click model and its one line per scenario. */
class RolloutBenchmarkTest {

  @Test
  void users_click_relevant_sources_far_more_often_and_top_ranks_more_than_low_ones() {
    ClickModel model = new ClickModel(new SplittableRandom(7));
    List<String> ranked = List.of("r1", "n2", "n3", "r4", "n5");
    Map<String, Integer> relevant = Map.of("r1", 1, "r4", 1);
    Map<String, Integer> counts = new java.util.HashMap<>();
    int trials = 20_000;
    for (int i = 0; i < trials; i++) {
      for (String s : model.clicks(ranked, relevant)) {
        counts.merge(s, 1, Integer::sum);
      }
    }
    // Looked at with 1/rank, clicked with 0.9 when relevant and 0.05 otherwise.
    assertThat(counts.get("r1") / (double) trials).isBetween(0.88, 0.92);
    assertThat(counts.get("r4") / (double) trials).isBetween(0.20, 0.25);
    assertThat(counts.get("n2") / (double) trials).isBetween(0.02, 0.03);
    assertThat(counts.getOrDefault("n5", 0) / (double) trials).isLessThan(0.015);
  }

  @Test
  void the_same_seed_clicks_alike() {
    List<String> ranked = List.of("a", "b", "c");
    Map<String, Integer> relevant = Map.of("b", 1);
    ClickModel one = new ClickModel(new SplittableRandom(3));
    ClickModel two = new ClickModel(new SplittableRandom(3));
    for (int i = 0; i < 100; i++) {
      assertThat(one.clicks(ranked, relevant)).isEqualTo(two.clicks(ranked, relevant));
    }
  }

  @Test
  void a_scenario_is_one_line_with_the_exposure_counting_interleaved_answers_as_half()
      throws Exception {
    JsonNode rollout =
        RolloutBenchmark.JSON.readTree(
            """
            {"status": "rolled_back", "decisionReason": "the champion wins the interleaved comparisons",
             "lastCheck": {"test": {"wins": 3, "losses": 21}}}
            """);
    List<Answer> answers =
        List.of(
            new Answer("champion", "scifact/v1", 0.8),
            new Answer("champion", "scifact/v1", 0.6),
            new Answer("candidate", "scifact/v3", 0.1),
            new Answer("interleaved", "interleaved(scifact/v1,scifact/v3)", 0.5),
            new Answer(null, "scifact/v1", 0.7));

    String line = RolloutBenchmark.summary("broken", rollout, answers, 95).line();

    assertThat(line)
        .startsWith("rollout scenario=broken decision=rolled_back exposed=0.375 seconds=95")
        .contains("queries=4", "champion_ndcg=0.700", "candidate_ndcg=0.100")
        .contains("wins=3 losses=21")
        .endsWith("reason=\"the champion wins the interleaved comparisons\"");
  }

  @Test
  void the_compressed_plan_is_one_the_api_takes() {
    assertThat(RolloutBenchmark.compressedPlan())
        .containsEntry("steps", List.of(0.05, 0.25))
        .containsEntry("timeBudgetMs", 300_000)
        .containsKeys("shadowBakeMs", "stepBakeMs", "interleaveShare", "checkIntervalMs");
    assertThat(RolloutBenchmark.EXPECTED.keySet())
        .containsExactly("better", "broken", "slow", "equal", "other-model");
    assertThat(RolloutBenchmark.DEFAULT).containsExactly("better", "broken", "slow", "equal");
    // A candidate on a worse model's index may be rolled back or kept, never promoted.
    assertThat(RolloutBenchmark.EXPECTED.get("other-model")).doesNotContain(Rollout.PROMOTED);
  }
}
