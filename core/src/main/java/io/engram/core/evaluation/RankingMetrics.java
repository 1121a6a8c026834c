package io.engram.core.evaluation;

import java.util.List;
import java.util.Map;

/** Standard ranking metrics (as in BEIR / trec_eval) over a ranked list of document ids. */
public final class RankingMetrics {
  private RankingMetrics() {}

  /** NDCG@k with graded relevance and log2 discount. */
  public static double ndcg(List<String> ranked, Map<String, Integer> relevant, int k) {
    double dcg = 0;
    for (int i = 0; i < Math.min(k, ranked.size()); i++) {
      int rel = relevant.getOrDefault(ranked.get(i), 0);
      dcg += rel / log2(i + 2);
    }
    double idcg = 0;
    List<Integer> ideal = relevant.values().stream().sorted((a, b) -> b - a).toList();
    for (int i = 0; i < Math.min(k, ideal.size()); i++) {
      idcg += ideal.get(i) / log2(i + 2);
    }
    return idcg == 0 ? 0 : dcg / idcg;
  }

  /** Reciprocal rank of the first relevant document within the top k, else 0. */
  public static double mrr(List<String> ranked, Map<String, Integer> relevant, int k) {
    for (int i = 0; i < Math.min(k, ranked.size()); i++) {
      if (relevant.getOrDefault(ranked.get(i), 0) > 0) {
        return 1.0 / (i + 1);
      }
    }
    return 0;
  }

  /** Share of the relevant documents found in the top k. */
  public static double recall(List<String> ranked, Map<String, Integer> relevant, int k) {
    if (relevant.isEmpty()) {
      return 0;
    }
    long found = ranked.stream().limit(k).filter(d -> relevant.getOrDefault(d, 0) > 0).count();
    return (double) found / relevant.size();
  }

  /** Nearest-rank percentile of sorted values. */
  public static double percentile(double[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }
}
