package io.engram.core.training;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The quality gates a retrained candidate must pass to be staged, each with a stored verdict and
 * reason: an absolute floor, not worse than the champion on any stored eval set, better on the
 * primary one, Recall@100 not lower, p95 latency within budget, and the champion it was compared
 * with still serving. Pure functions, unit-tested.
 */
public final class Gates {
  public static final String FLOOR = "ndcg_floor";
  public static final String NOT_WORSE = "not_worse_than_champion";
  public static final String IMPROVEMENT = "improves_on_champion";
  public static final String RECALL = "recall_at_100_not_lower";
  public static final String LATENCY = "p95_latency_within_budget";
  public static final String SAME_CHAMPION = "champion_unchanged";

  private Gates() {}

  /** One gate's verdict. */
  public record Verdict(String name, boolean passed, String reason) {}

  /**
   * A version's figures on its eval sets.
   *
   * @param ndcg NDCG@10 per eval set
   * @param recall100 Recall@100 per eval set
   * @param p95Ms retrieval p95 latency per eval set, in milliseconds
   */
  public record Figures(
      Map<String, Double> ndcg, Map<String, Double> recall100, Map<String, Double> p95Ms) {}

  /**
   * The verdicts for {@code candidate} against {@code champion} (null: the collection has none) on
   * {@code primary}, the eval set this retraining held out.
   */
  public static List<Verdict> judge(
      Figures candidate, Figures champion, String primary, TrainingSettings.Gates g) {
    List<Verdict> out = new ArrayList<>();
    double ndcg = candidate.ndcg().getOrDefault(primary, 0.0);
    out.add(
        new Verdict(
            FLOOR,
            ndcg >= g.minNdcg(),
            f("NDCG@10 %.4f on %s, floor %.4f", ndcg, primary, g.minNdcg())));
    if (champion == null) {
      out.add(new Verdict(NOT_WORSE, true, "no champion to compare with"));
      out.add(new Verdict(IMPROVEMENT, true, "no champion to improve on"));
      out.add(new Verdict(RECALL, true, "no champion to compare with"));
    } else {
      List<String> worse = new ArrayList<>();
      List<String> unmeasured = new ArrayList<>();
      int compared = 0;
      for (Map.Entry<String, Double> e : champion.ndcg().entrySet()) {
        Double mine = candidate.ndcg().get(e.getKey());
        if (mine == null) {
          unmeasured.add(e.getKey());
          continue;
        }
        compared++;
        if (mine < e.getValue() - g.epsilon()) {
          worse.add(f("%s %.4f < %.4f", e.getKey(), mine, e.getValue()));
        }
      }
      out.add(
          new Verdict(
              NOT_WORSE,
              worse.isEmpty(),
              (worse.isEmpty()
                      ? f("within %.4f of the champion on %d eval set(s)", g.epsilon(), compared)
                      : f("worse by more than %.4f on %s", g.epsilon(), String.join(", ", worse)))
                  + (unmeasured.isEmpty()
                      ? ""
                      : "; the candidate has no figure on " + String.join(", ", unmeasured))));
      Double champ = champion.ndcg().get(primary);
      out.add(
          champ == null
              ? new Verdict(IMPROVEMENT, true, "the champion has no figure on " + primary)
              : new Verdict(
                  IMPROVEMENT,
                  ndcg >= champ + g.minImprovement(),
                  f(
                      "NDCG@10 %.4f vs champion %.4f on %s (%+.4f, needs %+.4f)",
                      ndcg, champ, primary, ndcg - champ, g.minImprovement())));
      Double champRecall = champion.recall100().get(primary);
      double recall = candidate.recall100().getOrDefault(primary, 0.0);
      out.add(
          champRecall == null
              ? new Verdict(RECALL, true, "the champion has no figure on " + primary)
              : new Verdict(
                  RECALL,
                  recall >= champRecall - 1e-9,
                  f("Recall@100 %.4f vs champion %.4f", recall, champRecall)));
    }
    double p95 = candidate.p95Ms().getOrDefault(primary, Double.POSITIVE_INFINITY);
    out.add(
        new Verdict(
            LATENCY,
            p95 <= g.p95BudgetMs(),
            String.format(Locale.ROOT, "p95 %.1f ms, budget %.0f ms", p95, g.p95BudgetMs())));
    return out;
  }

  /**
   * Whether the version the candidate was compared with still serves: a champion moved by hand
   * while the retraining ran makes every comparison above one with a version that no longer serves.
   *
   * @param judgedAgainst the champion when the retraining decided (null: none)
   * @param servingNow the champion now (null: none)
   */
  public static Verdict sameChampion(Integer judgedAgainst, Integer servingNow) {
    if (Objects.equals(judgedAgainst, servingNow)) {
      return new Verdict(
          SAME_CHAMPION,
          true,
          judgedAgainst == null
              ? "no champion then or now"
              : "v" + judgedAgainst + " served throughout");
    }
    return new Verdict(
        SAME_CHAMPION,
        false,
        "the champion moved from "
            + (judgedAgainst == null ? "none" : "v" + judgedAgainst)
            + " to "
            + (servingNow == null ? "none" : "v" + servingNow)
            + " while this retraining ran; retrain again to compare with the one serving");
  }

  private static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }

  /** Whether every gate passed. */
  public static boolean passed(List<Verdict> verdicts) {
    return verdicts.stream().allMatch(Verdict::passed);
  }
}
