package io.engram.core.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.core.training.Gates.Figures;
import io.engram.core.training.Gates.Verdict;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GatesTest {
  private static final String PRIMARY = "scifact/train/held-out";
  private static final TrainingSettings.Gates GATES =
      new TrainingSettings.Gates(0.5, 0.005, 0.002, 100);

  private static Figures figures(double ndcg, double recall, double p95) {
    return new Figures(Map.of(PRIMARY, ndcg), Map.of(PRIMARY, recall), Map.of(PRIMARY, p95));
  }

  private static Verdict verdict(List<Verdict> verdicts, String name) {
    return verdicts.stream().filter(v -> v.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void a_better_candidate_passes_every_gate() {
    List<Verdict> v = Gates.judge(figures(0.80, 0.93, 30), figures(0.79, 0.92, 28), PRIMARY, GATES);
    assertThat(v)
        .extracting(Verdict::name)
        .containsExactly(
            Gates.FLOOR, Gates.NOT_WORSE, Gates.IMPROVEMENT, Gates.RECALL, Gates.LATENCY);
    assertThat(Gates.passed(v)).isTrue();
    assertThat(verdict(v, Gates.IMPROVEMENT).reason())
        .isEqualTo(
            "NDCG@10 0.8000 vs champion 0.7900 on scifact/train/held-out (+0.0100, needs +0.0020)");
  }

  @Test
  void each_gate_fails_for_its_own_reason() {
    assertThat(
            verdict(Gates.judge(figures(0.40, 0.9, 30), null, PRIMARY, GATES), Gates.FLOOR)
                .passed())
        .isFalse();
    List<Verdict> worse =
        Gates.judge(figures(0.78, 0.93, 30), figures(0.79, 0.92, 28), PRIMARY, GATES);
    assertThat(verdict(worse, Gates.NOT_WORSE).passed()).isFalse();
    assertThat(verdict(worse, Gates.NOT_WORSE).reason())
        .contains("scifact/train/held-out 0.7800 < 0.7900");
    List<Verdict> flat =
        Gates.judge(figures(0.791, 0.93, 30), figures(0.79, 0.92, 28), PRIMARY, GATES);
    assertThat(verdict(flat, Gates.NOT_WORSE).passed()).isTrue();
    assertThat(verdict(flat, Gates.IMPROVEMENT).passed()).isFalse();
    List<Verdict> recall =
        Gates.judge(figures(0.80, 0.91, 30), figures(0.79, 0.92, 28), PRIMARY, GATES);
    assertThat(verdict(recall, Gates.RECALL).passed()).isFalse();
    List<Verdict> slow =
        Gates.judge(figures(0.80, 0.93, 140), figures(0.79, 0.92, 28), PRIMARY, GATES);
    assertThat(verdict(slow, Gates.LATENCY).passed()).isFalse();
    assertThat(Gates.passed(slow)).isFalse();
  }

  @Test
  void every_stored_eval_set_of_the_champion_counts_for_not_worse() {
    Figures champion =
        new Figures(
            Map.of(PRIMARY, 0.79, "other/test/all", 0.70),
            Map.of(PRIMARY, 0.92),
            Map.of(PRIMARY, 28.0));
    Figures candidate =
        new Figures(
            Map.of(PRIMARY, 0.80, "other/test/all", 0.69),
            Map.of(PRIMARY, 0.93),
            Map.of(PRIMARY, 30.0));
    assertThat(verdict(Gates.judge(candidate, champion, PRIMARY, GATES), Gates.NOT_WORSE).passed())
        .isFalse();
  }

  @Test
  void a_champions_eval_set_the_candidate_was_not_measured_on_is_named_in_the_reason() {
    Figures champion =
        new Figures(
            Map.of(PRIMARY, 0.79, "other/test/all", 0.70),
            Map.of(PRIMARY, 0.92),
            Map.of(PRIMARY, 28.0));
    Verdict notWorse =
        verdict(Gates.judge(figures(0.80, 0.93, 30), champion, PRIMARY, GATES), Gates.NOT_WORSE);
    assertThat(notWorse.reason())
        .isEqualTo(
            "within 0.0050 of the champion on 1 eval set(s);"
                + " the candidate has no figure on other/test/all");
  }

  @Test
  void a_champion_moved_while_the_retraining_ran_fails_its_own_gate() {
    assertThat(Gates.sameChampion(1, 1).passed()).isTrue();
    assertThat(Gates.sameChampion(null, null).passed()).isTrue();
    Verdict moved = Gates.sameChampion(1, 3);
    assertThat(moved.name()).isEqualTo(Gates.SAME_CHAMPION);
    assertThat(moved.passed()).isFalse();
    assertThat(moved.reason()).startsWith("the champion moved from v1 to v3");
    assertThat(Gates.sameChampion(null, 2).reason()).startsWith("the champion moved from none");
  }

  @Test
  void without_a_champion_only_the_floor_and_latency_decide() {
    List<Verdict> v = Gates.judge(figures(0.6, 0.9, 50), null, PRIMARY, GATES);
    assertThat(Gates.passed(v)).isTrue();
    assertThat(verdict(v, Gates.IMPROVEMENT).reason()).isEqualTo("no champion to improve on");
  }
}
