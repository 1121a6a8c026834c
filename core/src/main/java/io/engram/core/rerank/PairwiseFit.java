package io.engram.core.rerank;

import io.engram.core.evaluation.RankingMetrics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.ToDoubleFunction;

/**
 * Fits the weights of a {@link LinearReranker}: pairwise logistic regression (RankNet with a linear
 * scorer) with an L2 penalty, over the standardized {@link RerankFeatures} of each training query's
 * candidates. Every (relevant, less relevant) pair of candidates within one query is a training
 * example; each query carries the same total weight, so queries with many candidates do not
 * dominate. The loss is convex and the model small, so it is minimized by Newton's method with a
 * backtracking line search: exact and deterministic, with no learning rate to tune. Only the
 * cross-validation folds use the seed.
 */
public final class PairwiseFit {

  /**
   * One training query.
   *
   * @param id query id
   * @param features one {@link RerankFeatures} row per candidate, in fusion order
   * @param documents the document id of each candidate (chunks of one document share it)
   * @param relevant judged documents and their grades; a candidate's label is its document's grade
   */
  public record Query(
      String id, double[][] features, List<String> documents, Map<String, Integer> relevant) {
    public Query {
      if (features.length != documents.size()) {
        throw new IllegalArgumentException("one document id per feature row");
      }
    }

    int label(int candidate) {
      return relevant.getOrDefault(documents.get(candidate), 0);
    }
  }

  /**
   * Hyper-parameters.
   *
   * @param l2 weight of the L2 penalty on the weights (positive, so the problem is strictly convex)
   * @param negativeDepth only candidates within this fusion rank serve as the less relevant side of
   *     a pair; a small depth concentrates on the top of the list, which NDCG@10 rewards
   */
  public record Params(double l2, int negativeDepth) {
    public Params {
      if (!(l2 > 0)) {
        throw new IllegalArgumentException("l2 must be positive, got " + l2);
      }
      if (negativeDepth < 1) {
        throw new IllegalArgumentException("negativeDepth must be at least 1");
      }
    }
  }

  /**
   * A fitted model: standardization and weights, one per feature column (in {@link
   * RerankFeatures#NAMES} order when fitted on those features).
   */
  public record Model(double[] mean, double[] std, double[] weights, int iterations, double loss) {

    public LinearReranker toReranker(String name, Map<String, Object> training) {
      return new LinearReranker(name, mean, std, weights, training);
    }

    public double score(double[] row) {
      double s = 0;
      for (int f = 0; f < weights.length; f++) {
        s += weights[f] * (row[f] - mean[f]) / std[f];
      }
      return s;
    }
  }

  /** Mean NDCG@10, MRR@10 and Recall@100 of a ranking over a set of queries. */
  public record Metrics(int queries, double ndcg10, double mrr10, double recall100) {}

  /** The cross-validated mean NDCG@10 of one setting. */
  public record Trial(Params params, double ndcg10) {}

  static final int MAX_ITERATIONS = 100;

  private PairwiseFit() {}

  /** Fits on {@code queries} with {@code params}. */
  public static Model fit(List<Query> queries, Params params) {
    int dims =
        queries.stream()
            .filter(q -> q.features().length > 0)
            .findFirst()
            .map(q -> q.features()[0].length)
            .orElse(RerankFeatures.COUNT);
    double[][] standardization = standardization(queries, dims);
    double[] mean = standardization[0];
    double[] std = standardization[1];
    List<double[][]> pairs = pairs(queries, params, mean, std);

    double[] w = new double[dims];
    double loss = loss(pairs, w, params.l2());
    int iteration = 0;
    while (iteration < MAX_ITERATIONS) {
      iteration++;
      double[] grad = new double[dims];
      double[][] hessian = new double[dims][dims];
      for (double[][] queryPairs : pairs) {
        double c = queryPairs[0][0];
        for (int p = 1; p < queryPairs.length; p++) {
          double[] diff = queryPairs[p];
          double d = dot(w, diff);
          double sigma = sigmoid(-d);
          for (int a = 0; a < dims; a++) {
            grad[a] -= c * sigma * diff[a];
            double h = c * sigma * (1 - sigma) * diff[a];
            for (int b = 0; b <= a; b++) {
              hessian[a][b] += h * diff[b];
            }
          }
        }
      }
      for (int a = 0; a < dims; a++) {
        grad[a] += params.l2() * w[a];
        hessian[a][a] += params.l2();
        for (int b = 0; b < a; b++) {
          hessian[b][a] = hessian[a][b];
        }
      }
      if (maxAbs(grad) < 1e-9) {
        break;
      }
      double[] step = solve(hessian, negate(grad));
      double slope = dot(grad, step);
      double t = 1;
      double next;
      double[] candidate;
      // Backtracking (Armijo) line search; Newton's full step is almost always taken.
      while (true) {
        candidate = new double[dims];
        for (int a = 0; a < dims; a++) {
          candidate[a] = w[a] + t * step[a];
        }
        next = loss(pairs, candidate, params.l2());
        if (next <= loss + 1e-4 * t * slope || t < 1e-10) {
          break;
        }
        t /= 2;
      }
      w = candidate;
      boolean converged = loss - next < 1e-12 * Math.max(1, Math.abs(loss));
      loss = next;
      if (converged) {
        break;
      }
    }
    return new Model(mean, std, w, iteration, loss);
  }

  /**
   * Chooses hyper-parameters by {@code folds}-fold cross-validation within {@code queries} (queries
   * are assigned to folds by a shuffle seeded with {@code seed}), by mean NDCG@10 of the
   * held-in-turn fold. Returns every trial, best first.
   */
  public static List<Trial> crossValidate(
      List<Query> queries, List<Params> grid, int folds, long seed) {
    List<Query> shuffled = new ArrayList<>(queries);
    shuffled.sort(Comparator.comparing(Query::id));
    java.util.Collections.shuffle(shuffled, new Random(seed));
    List<Trial> trials = new ArrayList<>();
    for (Params params : grid) {
      double sum = 0;
      int count = 0;
      for (int fold = 0; fold < folds; fold++) {
        List<Query> train = new ArrayList<>();
        List<Query> test = new ArrayList<>();
        for (int i = 0; i < shuffled.size(); i++) {
          (i % folds == fold ? test : train).add(shuffled.get(i));
        }
        Model model = fit(train, params);
        Metrics m = evaluate(test, model::score);
        sum += m.ndcg10() * m.queries();
        count += m.queries();
      }
      trials.add(new Trial(params, count == 0 ? 0 : sum / count));
    }
    // Best first; on a tie the stronger penalty (the simpler model) wins.
    trials.sort(
        Comparator.comparingDouble(Trial::ndcg10).reversed().thenComparing(t -> -t.params().l2()));
    return trials;
  }

  /**
   * Ranks each query's candidates by {@code scorer} (ties keep the fusion order), collapses chunks
   * to their documents (a document ranks by its best chunk) and averages the metrics.
   */
  public static Metrics evaluate(List<Query> queries, ToDoubleFunction<double[]> scorer) {
    double ndcg = 0;
    double mrr = 0;
    double recall = 0;
    for (Query q : queries) {
      List<String> ranked = rankedDocuments(q, scorer);
      ndcg += RankingMetrics.ndcg(ranked, q.relevant(), 10);
      mrr += RankingMetrics.mrr(ranked, q.relevant(), 10);
      recall += RankingMetrics.recall(ranked, q.relevant(), 100);
    }
    int n = queries.size();
    return n == 0 ? new Metrics(0, 0, 0, 0) : new Metrics(n, ndcg / n, mrr / n, recall / n);
  }

  /** The fusion order's metrics: candidates as given. */
  public static Metrics evaluateFusion(List<Query> queries) {
    return evaluate(queries, null);
  }

  static List<String> rankedDocuments(Query q, ToDoubleFunction<double[]> scorer) {
    int n = q.documents().size();
    Integer[] order = new Integer[n];
    double[] scores = new double[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
      scores[i] = scorer == null ? -i : scorer.applyAsDouble(q.features()[i]);
    }
    Arrays.sort(order, (a, b) -> Double.compare(scores[b], scores[a]));
    LinkedHashSet<String> docs = new LinkedHashSet<>();
    for (int i : order) {
      docs.add(q.documents().get(i));
    }
    return new ArrayList<>(docs);
  }

  /** Per-feature mean and standard deviation over all candidates (1 for a constant feature). */
  static double[][] standardization(List<Query> queries, int dims) {
    double[] mean = new double[dims];
    double[] sq = new double[dims];
    long n = 0;
    for (Query q : queries) {
      for (double[] row : q.features()) {
        n++;
        for (int f = 0; f < dims; f++) {
          double delta = row[f] - mean[f];
          mean[f] += delta / n;
          sq[f] += delta * (row[f] - mean[f]);
        }
      }
    }
    double[] std = new double[dims];
    for (int f = 0; f < dims; f++) {
      double s = n > 1 ? Math.sqrt(sq[f] / (n - 1)) : 0;
      std[f] = s > 1e-12 ? s : 1;
    }
    return new double[][] {mean, std};
  }

  /**
   * Per query, a header row {@code {weight}} then one standardized difference row {@code z_i - z_j}
   * per pair where candidate i is more relevant than candidate j.
   */
  private static List<double[][]> pairs(
      List<Query> queries, Params params, double[] mean, double[] std) {
    List<double[][]> out = new ArrayList<>();
    int totalQueries = 0;
    for (Query q : queries) {
      int n = q.features().length;
      List<double[]> diffs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int li = q.label(i);
        if (li <= 0) {
          continue;
        }
        for (int j = 0; j < Math.min(n, params.negativeDepth()); j++) {
          if (q.label(j) < li) {
            double[] diff = new double[mean.length];
            for (int f = 0; f < diff.length; f++) {
              diff[f] = (q.features()[i][f] - q.features()[j][f]) / std[f];
            }
            diffs.add(diff);
          }
        }
      }
      if (diffs.isEmpty()) {
        continue;
      }
      totalQueries++;
      double[][] block = new double[diffs.size() + 1][];
      block[0] = new double[] {1.0 / diffs.size()};
      for (int p = 0; p < diffs.size(); p++) {
        block[p + 1] = diffs.get(p);
      }
      out.add(block);
    }
    // Each query's block sums to 1; dividing by the number of queries makes the loss a mean.
    for (double[][] block : out) {
      block[0][0] /= Math.max(1, totalQueries);
    }
    return out;
  }

  private static double loss(List<double[][]> pairs, double[] w, double l2) {
    double loss = 0;
    for (double[][] block : pairs) {
      double c = block[0][0];
      for (int p = 1; p < block.length; p++) {
        loss += c * softplus(-dot(w, block[p]));
      }
    }
    return loss + 0.5 * l2 * dot(w, w);
  }

  /** log(1 + e^x) without overflow. */
  static double softplus(double x) {
    return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
  }

  static double sigmoid(double x) {
    return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int k = 0; k < a.length; k++) {
      s += a[k] * b[k];
    }
    return s;
  }

  private static double maxAbs(double[] v) {
    double m = 0;
    for (double x : v) {
      m = Math.max(m, Math.abs(x));
    }
    return m;
  }

  private static double[] negate(double[] v) {
    double[] out = new double[v.length];
    for (int k = 0; k < v.length; k++) {
      out[k] = -v[k];
    }
    return out;
  }

  /** Solves {@code a x = b} for a symmetric positive definite {@code a} by Cholesky. */
  static double[] solve(double[][] a, double[] b) {
    int n = b.length;
    double[][] l = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j <= i; j++) {
        double s = a[i][j];
        for (int k = 0; k < j; k++) {
          s -= l[i][k] * l[j][k];
        }
        if (i == j) {
          if (!(s > 0)) {
            throw new IllegalStateException("Hessian is not positive definite; raise l2");
          }
          l[i][i] = Math.sqrt(s);
        } else {
          l[i][j] = s / l[j][j];
        }
      }
    }
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      double s = b[i];
      for (int k = 0; k < i; k++) {
        s -= l[i][k] * y[k];
      }
      y[i] = s / l[i][i];
    }
    double[] x = new double[n];
    for (int i = n - 1; i >= 0; i--) {
      double s = y[i];
      for (int k = i + 1; k < n; k++) {
        s -= l[k][i] * x[k];
      }
      x[i] = s / l[i][i];
    }
    return x;
  }
}
