package io.engram.workers.bench;

import io.engram.core.tuning.Direction;
import io.engram.core.tuning.LocalSearch;
import io.engram.core.tuning.Params;
import io.engram.core.tuning.RandomSampler;
import io.engram.core.tuning.Sampler;
import io.engram.core.tuning.SearchSpace;
import io.engram.core.tuning.TpeSampler;
import io.engram.core.tuning.Trial;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * TPE against random search at equal budget, on standard test functions and on a synthetic
 * objective shaped like the retraining search space: for each function, budget and sampler, the
 * median (and quartiles) of the best value found over many seeds, and how often TPE found a better
 * value than random search with the same seed (ties count half) with the sign test's two-sided p.
 * Searches run in memory ({@link LocalSearch}): no database, no Temporal. Trial {@code i} of seed
 * {@code s} uses the seed that {@code Study.ask} would, so TPE's first ten trials (random start-up)
 * are exactly random search's first ten.
 */
public final class TuningBenchmark {

  static final String USAGE =
      """
      usage: TuningBenchmark [options]
        --seeds N         seeds per function and budget (default 30)
        --budgets A,B     trials per search (default 30,60)
        --functions LIST  among branin, hartmann6, styblinski-tang4, retrieval, table
                          (default: all)
      """;

  /** A test function: its space, direction, the function, and its known best value. */
  record Problem(
      String name,
      String kind,
      SearchSpace space,
      Direction direction,
      ToDoubleFunction<Params> f,
      double optimum) {}

  /** One sampler's results on one problem and budget. */
  record Row(String sampler, double[] best, double msPerAsk) {
    double quantile(double q) {
      double[] s = best.clone();
      Arrays.sort(s);
      double i = (s.length - 1) * q;
      int lo = (int) Math.floor(i);
      int hi = (int) Math.ceil(i);
      return s[lo] + (s[hi] - s[lo]) * (i - lo);
    }
  }

  private TuningBenchmark() {}

  static List<Problem> problems() {
    List<Problem> out = new ArrayList<>();
    out.add(
        new Problem(
            "branin",
            "2 floats, smooth",
            SearchSpace.of(SearchSpace.uniform("x1", -5, 10), SearchSpace.uniform("x2", 0, 15)),
            Direction.MINIMIZE,
            p -> branin(p.getDouble("x1"), p.getDouble("x2")),
            0.397887));
    List<SearchSpace.Param> six = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      six.add(SearchSpace.uniform("x" + i, 0, 1));
    }
    out.add(
        new Problem(
            "hartmann6",
            "6 floats, smooth, multimodal",
            new SearchSpace(six),
            Direction.MINIMIZE,
            p -> {
              double[] x = new double[6];
              for (int i = 0; i < 6; i++) {
                x[i] = p.getDouble("x" + i);
              }
              return hartmann6(x);
            },
            -3.32237));
    List<SearchSpace.Param> four = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      four.add(SearchSpace.uniform("x" + i, -5, 5));
    }
    out.add(
        new Problem(
            "styblinski-tang4",
            "4 floats, smooth, multimodal",
            new SearchSpace(four),
            Direction.MINIMIZE,
            p -> {
              double sum = 0;
              for (int i = 0; i < 4; i++) {
                double x = p.getDouble("x" + i);
                sum += x * x * x * x - 16 * x * x + 5 * x;
              }
              return sum / 2;
            },
            -39.16617 * 4));
    SearchSpace retrieval =
        SearchSpace.of(
            SearchSpace.uniform("weight", 0, 1),
            SearchSpace.logUniform("share", 0.005, 0.2),
            SearchSpace.integer("candidates", 20, 200, 1),
            SearchSpace.categorical("reranker", "none", "linear"));
    out.add(
        new Problem(
            "retrieval",
            "float, log float, int, categorical; interactions",
            retrieval,
            Direction.MAXIMIZE,
            TuningBenchmark::retrieval,
            retrievalOptimum()));
    List<SearchSpace.Param> cats = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      cats.add(SearchSpace.categorical("c" + i, "a", "b", "c", "d", "e"));
    }
    out.add(
        new Problem(
            "table",
            "4 categoricals of 5, no structure",
            new SearchSpace(cats),
            Direction.MAXIMIZE,
            TuningBenchmark::table,
            tableOptimum()));
    return out;
  }

  static double branin(double x1, double x2) {
    double b = 5.1 / (4 * Math.PI * Math.PI);
    double c = 5 / Math.PI;
    double t = 1 / (8 * Math.PI);
    double u = x2 - b * x1 * x1 + c * x1 - 6;
    return u * u + 10 * (1 - t) * Math.cos(x1) + 10;
  }

  private static final double[] ALPHA = {1.0, 1.2, 3.0, 3.2};
  private static final double[][] A = {
    {10, 3, 17, 3.5, 1.7, 8},
    {0.05, 10, 17, 0.1, 8, 14},
    {3, 3.5, 1.7, 10, 17, 8},
    {17, 8, 0.05, 10, 0.1, 14}
  };
  private static final double[][] P = {
    {0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886},
    {0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991},
    {0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650},
    {0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381}
  };

  static double hartmann6(double[] x) {
    double sum = 0;
    for (int i = 0; i < 4; i++) {
      double inner = 0;
      for (int j = 0; j < 6; j++) {
        inner += A[i][j] * (x[j] - P[i][j]) * (x[j] - P[i][j]);
      }
      sum += ALPHA[i] * Math.exp(-inner);
    }
    return -sum;
  }

  /**
   * A synthetic NDCG@10 over the retrieval settings: the best fusion weight depends on the reranker
   * (0.65 without, 0.45 with the linear one), the lexeme share is best near 0.03 on a log scale,
   * more candidates help with diminishing returns (much more with a reranker) and cost a little
   * latency.
   */
  static double retrieval(Params p) {
    boolean linear = p.getString("reranker").equals("linear");
    double w = p.getDouble("weight") - (linear ? 0.45 : 0.65);
    double s = Math.log10(p.getDouble("share") / 0.03);
    int c = p.getInt("candidates");
    double depth =
        linear ? 0.10 * (1 - Math.exp(-c / 70.0)) + 0.02 : 0.05 * (1 - Math.exp(-c / 40.0));
    return 0.60 - 0.25 * w * w - 0.03 * s * s + depth - 0.0001 * c;
  }

  private static double retrievalOptimum() {
    double best = Double.NEGATIVE_INFINITY;
    for (String r : List.of("none", "linear")) {
      for (int c = 20; c <= 200; c++) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("weight", r.equals("linear") ? 0.45 : 0.65);
        v.put("share", 0.03);
        v.put("candidates", c);
        v.put("reranker", r);
        best = Math.max(best, retrieval(new Params(v)));
      }
    }
    return best;
  }

  /** A value in [0, 1) per combination, from a hash: no structure for a model to find. */
  static double table(Params p) {
    long h = 1469598103934665603L;
    for (int i = 0; i < 4; i++) {
      h = (h ^ p.getString("c" + i).charAt(0)) * 1099511628211L;
    }
    h ^= h >>> 29;
    h *= 0xBF58476D1CE4E5B9L;
    h ^= h >>> 32;
    return (h >>> 11) * 0x1.0p-53;
  }

  private static double tableOptimum() {
    double best = 0;
    String letters = "abcde";
    for (int k = 0; k < 625; k++) {
      Map<String, Object> v = new LinkedHashMap<>();
      int rest = k;
      for (int i = 0; i < 4; i++) {
        v.put("c" + i, String.valueOf(letters.charAt(rest % 5)));
        rest /= 5;
      }
      best = Math.max(best, table(new Params(v)));
    }
    return best;
  }

  static Row run(String name, Sampler sampler, Problem problem, int budget, int seeds) {
    double[] best = new double[seeds];
    long nanos = 0;
    for (int s = 0; s < seeds; s++) {
      long t0 = System.nanoTime();
      List<Trial> trials =
          LocalSearch.run(sampler, problem.space(), problem.direction(), problem.f(), budget, s);
      nanos += System.nanoTime() - t0;
      best[s] = LocalSearch.best(trials, problem.direction());
    }
    return new Row(name, best, nanos / 1e6 / seeds / budget);
  }

  /** How often {@code a} beat {@code b} on the same seed, ties counting half. */
  static double winRate(double[] a, double[] b, Direction direction) {
    double wins = 0;
    for (int i = 0; i < a.length; i++) {
      if (direction.better(a[i], b[i])) {
        wins += 1;
      } else if (a[i] == b[i]) {
        wins += 0.5;
      }
    }
    return wins / a.length;
  }

  /** The sign test's two-sided p-value for {@code a} against {@code b}, ties dropped. */
  static double signTest(double[] a, double[] b, Direction direction) {
    int wins = 0;
    int n = 0;
    for (int i = 0; i < a.length; i++) {
      if (a[i] != b[i]) {
        n++;
        wins += direction.better(a[i], b[i]) ? 1 : 0;
      }
    }
    int k = Math.min(wins, n - wins);
    double tail = 0;
    for (int i = 0; i <= k; i++) {
      tail += Math.exp(logChoose(n, i) - n * Math.log(2));
    }
    return Math.min(1, 2 * tail);
  }

  private static double logChoose(int n, int k) {
    double r = 0;
    for (int i = 1; i <= k; i++) {
      r += Math.log(n - k + i) - Math.log(i);
    }
    return r;
  }

  public static void main(String[] args) {
    int seeds = 30;
    int[] budgets = {30, 60};
    List<String> only = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--help", "-h" -> {
          System.out.print(USAGE);
          return;
        }
        case "--seeds" -> seeds = Integer.parseInt(args[++i]);
        case "--budgets" ->
            budgets = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
        case "--functions" -> only = List.of(args[++i].split(","));
        default -> {
          System.err.println("error: unknown argument " + args[i]);
          System.err.print(USAGE);
          System.exit(2);
        }
      }
    }
    Map<String, Sampler> samplers = new LinkedHashMap<>();
    samplers.put("random", new RandomSampler());
    samplers.put("tpe", new TpeSampler());
    samplers.put(
        "tpe-repeats", new TpeSampler(new TpeSampler.Options(10, 24, 1.0, true, true, false)));
    samplers.put(
        "tpe-independent", new TpeSampler(new TpeSampler.Options(10, 24, 1.0, false, true, false)));
    System.out.printf(
        Locale.ROOT,
        "%d seeds per cell; best value found: median [25th, 75th percentile]; win rate of the"
            + " sampler over random search on the same seed (ties half), sign-test p; time per"
            + " trial in memory (sampling and objective)%n%n",
        seeds);
    System.out.println(
        "| function | direction, optimum | trials | sampler | median best | quartiles | win rate vs"
            + " random | sign test p | ms per trial |");
    System.out.println("|---|---|---|---|---|---|---|---|---|");
    for (Problem problem : problems()) {
      if (only != null && !only.contains(problem.name())) {
        continue;
      }
      for (int budget : budgets) {
        Row random = null;
        for (Map.Entry<String, Sampler> e : samplers.entrySet()) {
          Row row = run(e.getKey(), e.getValue(), problem, budget, seeds);
          if (random == null) {
            random = row;
          }
          boolean baseline = row == random;
          System.out.printf(
              Locale.ROOT,
              "| %s | %s %.4f | %d | %s | %.4f | %.4f, %.4f | %s | %s | %.2f |%n",
              problem.name(),
              problem.direction() == Direction.MAXIMIZE ? "max" : "min",
              problem.optimum(),
              budget,
              row.sampler(),
              row.quantile(0.5),
              row.quantile(0.25),
              row.quantile(0.75),
              baseline
                  ? "-"
                  : String.format(
                      Locale.ROOT,
                      "%.0f %%",
                      100 * winRate(row.best(), random.best(), problem.direction())),
              baseline
                  ? "-"
                  : String.format(
                      Locale.ROOT,
                      "%.2g",
                      signTest(row.best(), random.best(), problem.direction())),
              row.msPerAsk());
        }
      }
    }
  }
}
