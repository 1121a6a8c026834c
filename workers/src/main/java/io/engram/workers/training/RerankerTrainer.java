package io.engram.workers.training;

import io.engram.core.config.EngramSettings;
import io.engram.core.config.SettingsSource;
import io.engram.core.evaluation.QuerySplit;
import io.engram.core.evaluation.RankingMetrics;
import io.engram.core.rerank.LinearReranker;
import io.engram.core.rerank.PairwiseFit;
import io.engram.core.rerank.RerankFeatures;
import io.engram.core.rerank.Reranker;
import io.engram.core.retrieval.Candidate;
import io.engram.core.retrieval.HybridRetriever;
import io.engram.workers.bench.RerankBenchmark;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Trains the {@link LinearReranker} on a BEIR split: retrieves every query's fused candidates
 * through the real {@link HybridRetriever} (reranker off), computes {@link RerankFeatures}, chooses
 * the L2 penalty and the negative depth by cross-validation inside {@link QuerySplit.Part#FIT},
 * fits on all of FIT, and reports fusion-only against reranked on {@link QuerySplit.Part#HELD_OUT}
 * (and on a second, unseen split when the folder has its qrels). Held-out queries are never used to
 * fit or to choose anything. Writes the model as JSON.
 */
public final class RerankerTrainer {

  static final String USAGE =
      """
      usage: RerankerTrainer DIR --out FILE [options]
        DIR                  BEIR folder (corpus.jsonl, queries.jsonl, qrels/SPLIT.tsv), already
                             ingested into --collection
        --out FILE           where to write the model JSON
        --split NAME         qrels split to train on (default train)
        --test-split NAME    unseen split to report on when DIR has its qrels (default test)
        --collection NAME    collection holding the corpus (default: the folder's name)
        --db-url URL         JDBC URL (default $ENGRAM_DB_URL or %s)
        --db-user NAME       database user (default $ENGRAM_DB_USER or engram);
                             the password is read from $ENGRAM_DB_PASSWORD
        --candidates N       fused candidates per query the reranker sees (default 100)
        --index-version NAME index version to search (default: the champion)
        --name NAME          model name (default linear-COLLECTION-v1)
        --folds N            cross-validation folds inside FIT (default 5)
        --seed N             seed of the fold assignment (default 42)
      """
          .formatted(RerankerTrainer.DEFAULT_DB_URL);

  static final String DEFAULT_DB_URL = "jdbc:postgresql://127.0.0.1:55432/engram";

  /** The settings tried by cross-validation. */
  static final List<PairwiseFit.Params> GRID =
      List.of(
          new PairwiseFit.Params(0.001, 100),
          new PairwiseFit.Params(0.01, 100),
          new PairwiseFit.Params(0.1, 100),
          new PairwiseFit.Params(1.0, 100),
          new PairwiseFit.Params(0.001, 20),
          new PairwiseFit.Params(0.01, 20),
          new PairwiseFit.Params(0.1, 20),
          new PairwiseFit.Params(1.0, 20));

  record Options(
      Path dir,
      Path out,
      String split,
      String testSplit,
      String collection,
      String dbUrl,
      String dbUser,
      int candidates,
      String indexVersion,
      String name,
      int folds,
      long seed) {

    static Options parse(String[] args, Map<String, String> env) {
      Path dir = null;
      Path out = null;
      String split = "train";
      String testSplit = "test";
      String collection = null;
      String dbUrl = env.getOrDefault("ENGRAM_DB_URL", DEFAULT_DB_URL);
      String dbUser = env.getOrDefault("ENGRAM_DB_USER", "engram");
      int candidates = EngramSettings.defaults().retrieval().candidates();
      String indexVersion = null;
      String name = null;
      int folds = 5;
      long seed = 42;
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "--out" -> out = Path.of(value(args, ++i, a));
          case "--split" -> split = value(args, ++i, a);
          case "--test-split" -> testSplit = value(args, ++i, a);
          case "--collection" -> collection = value(args, ++i, a);
          case "--db-url" -> dbUrl = value(args, ++i, a);
          case "--db-user" -> dbUser = value(args, ++i, a);
          case "--candidates" -> candidates = Integer.parseInt(value(args, ++i, a));
          case "--index-version" -> indexVersion = value(args, ++i, a);
          case "--name" -> name = value(args, ++i, a);
          case "--folds" -> folds = Integer.parseInt(value(args, ++i, a));
          case "--seed" -> seed = Long.parseLong(value(args, ++i, a));
          default -> {
            if (a.startsWith("-") || dir != null) {
              throw new IllegalArgumentException("unknown argument " + a);
            }
            dir = Path.of(a).toAbsolutePath().normalize();
          }
        }
      }
      if (dir == null || out == null) {
        throw new IllegalArgumentException("DIR and --out FILE are required");
      }
      if (folds < 2) {
        throw new IllegalArgumentException("--folds must be at least 2");
      }
      if (collection == null) {
        collection =
            dir.getFileName().toString().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_.-]", "-");
      }
      if (name == null) {
        name = "linear-" + collection + "-v1";
      }
      return new Options(
          dir,
          out,
          split,
          testSplit,
          collection,
          dbUrl,
          dbUser,
          candidates,
          indexVersion,
          name,
          folds,
          seed);
    }

    private static String value(String[] args, int i, String flag) {
      if (i >= args.length) {
        throw new IllegalArgumentException(flag + " needs a value");
      }
      return args[i];
    }
  }

  private RerankerTrainer() {}

  public static void main(String[] args) throws Exception {
    for (String a : args) {
      if (a.equals("--help") || a.equals("-h")) {
        System.out.print(USAGE);
        return;
      }
    }
    Options options;
    try {
      options = Options.parse(args, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.err.print(USAGE);
      System.exit(2);
      return;
    }
    run(options, System.out, System.err);
  }

  static void run(Options o, PrintStream out, PrintStream err) throws Exception {
    BeirSplit split = BeirSplit.read(o.dir(), o.split());
    BeirSplit fit = split.part(QuerySplit.Part.FIT);
    BeirSplit heldOut = split.part(QuerySplit.Part.HELD_OUT);
    BeirSplit test =
        !o.testSplit().equals(o.split()) && BeirSplit.exists(o.dir(), o.testSplit())
            ? BeirSplit.read(o.dir(), o.testSplit())
            : null;
    out.printf(
        Locale.ROOT,
        "data: %s split %s, %d queries: FIT %d, HELD_OUT %d; %s%n",
        o.dir().getFileName(),
        o.split(),
        split.size(),
        fit.size(),
        heldOut.size(),
        test == null
            ? "no qrels/" + o.testSplit() + ".tsv, so no unseen-split figures"
            : "unseen split " + o.testSplit() + " " + test.size() + " queries");

    // The query path's settings (with the same environment overrides), reranker off.
    EngramSettings settings =
        EngramSettings.from(
            SettingsSource.of(
                System.getenv(),
                Map.of(
                    "ENGRAM_DB_URL",
                    o.dbUrl(),
                    "ENGRAM_DB_USER",
                    o.dbUser(),
                    "ENGRAM_MIGRATE_ON_START",
                    "false")));
    CandidateSets candidates =
        CandidateSets.retrieve(
            settings, o.indexVersion(), o.collection(), split.queries(), o.candidates(), err);
    CandidateSets testCandidates =
        test == null
            ? null
            : CandidateSets.retrieve(
                settings, o.indexVersion(), o.collection(), test.queries(), o.candidates(), err);

    List<PairwiseFit.Query> fitQueries = features(fit, candidates);
    long positives = fitQueries.stream().filter(RerankerTrainer::hasPositive).count();
    out.printf(
        Locale.ROOT,
        "features: %d per candidate %s; FIT queries with a relevant candidate: %d/%d%n",
        RerankFeatures.COUNT,
        RerankFeatures.NAMES,
        positives,
        fitQueries.size());
    long t0 = System.nanoTime();
    List<PairwiseFit.Trial> trials =
        PairwiseFit.crossValidate(fitQueries, GRID, o.folds(), o.seed());
    for (PairwiseFit.Trial t : trials) {
      out.printf(
          Locale.ROOT,
          "cv %d-fold within FIT: l2=%-6s negativeDepth=%-4d ndcg@10=%.4f%n",
          o.folds(),
          t.params().l2(),
          t.params().negativeDepth(),
          t.ndcg10());
    }
    PairwiseFit.Params best = trials.get(0).params();
    PairwiseFit.Model model = PairwiseFit.fit(fitQueries, best);
    out.printf(
        Locale.ROOT,
        "fit: l2=%s negativeDepth=%d, %d Newton iterations, loss %.5f (%.1f s with cv)%n",
        best.l2(),
        best.negativeDepth(),
        model.iterations(),
        model.loss(),
        (System.nanoTime() - t0) / 1e9);
    for (int f = 0; f < RerankFeatures.COUNT; f++) {
      out.printf(
          Locale.ROOT, "  weight %-24s %+.4f%n", RerankFeatures.NAMES.get(f), model.weights()[f]);
    }

    Map<String, Object> training = new LinkedHashMap<>();
    training.put("dataset", o.dir().getFileName().toString());
    training.put("collection", o.collection());
    training.put("split", o.split());
    training.put("part", QuerySplit.Part.FIT.name());
    training.put("queries", fit.size());
    training.put("heldOutQueries", heldOut.size());
    training.put("date", LocalDate.now(ZoneOffset.UTC).toString());
    training.put("seed", o.seed());
    training.put("indexVersion", candidates.indexVersion());
    training.put(
        "retrieval",
        ordered(
            "mode", settings.retrieval().mode().name(),
            "denseWeight", settings.retrieval().denseWeight(),
            "maxLexemeShare", settings.retrieval().maxLexemeShare(),
            "candidates", o.candidates()));
    training.put(
        "method",
        "pairwise logistic regression (linear RankNet), L2 penalty, Newton's method;"
            + " hyper-parameters by cross-validation within FIT");
    training.put(
        "hyperParameters",
        ordered(
            "l2", best.l2(),
            "negativeDepth", best.negativeDepth(),
            "folds", o.folds(),
            "cvNdcg10", round(trials.get(0).ndcg10())));
    LinearReranker reranker = model.toReranker(o.name(), training);

    Map<String, Object> metrics = new LinkedHashMap<>();
    out.printf(
        Locale.ROOT,
        "%-10s %-9s %7s %8s %8s %10s %9s%n",
        "part",
        "ranking",
        "queries",
        "ndcg@10",
        "mrr@10",
        "recall@100",
        "rerank_us");
    metrics.put("heldOut", compare("held-out", heldOut, candidates, reranker, out));
    if (test != null) {
      metrics.put(o.testSplit(), compare(o.testSplit(), test, testCandidates, reranker, out));
    }
    compare("fit", fit, candidates, reranker, out);
    compare("all", split, candidates, reranker, out);
    training.put("metrics", metrics);
    LinearReranker finished = model.toReranker(o.name(), training);

    // The first held-out pass above analyzed most of its passages for the first time (rerank_us
    // is that cold figure); this one times the query path once passages are cached.
    List<String> texts = new ArrayList<>();
    List<List<Candidate>> lists = RerankBenchmark.lists(heldOut, candidates, texts);
    RerankBenchmark.Latency latency = RerankBenchmark.warm(finished, texts, lists, 20);
    out.println("rerank latency on held-out, passages cached (20 rounds): " + latency.format());

    Path parent = o.out().toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(o.out(), finished.toJson());
    out.printf(Locale.ROOT, "wrote %s (%s)%n", o.out(), finished.name());
  }

  private static boolean hasPositive(PairwiseFit.Query q) {
    return q.documents().stream().anyMatch(d -> q.relevant().getOrDefault(d, 0) > 0);
  }

  /** The training examples of {@code part}: features of each query's fused candidates. */
  static List<PairwiseFit.Query> features(BeirSplit part, CandidateSets candidates) {
    List<PairwiseFit.Query> queries = new ArrayList<>();
    for (Map.Entry<String, String> q : part.queries().entrySet()) {
      List<Candidate> hits = candidates.hits().get(q.getKey());
      queries.add(
          new PairwiseFit.Query(
              q.getKey(),
              RerankFeatures.extract(q.getValue(), hits),
              hits.stream().map(h -> h.chunk().source()).toList(),
              part.qrels().get(q.getKey())));
    }
    return queries;
  }

  /**
   * Fusion-only against reranked on {@code part}, through {@link Reranker#rerank} itself (the query
   * path's code), chunks collapsed to documents by their best chunk.
   */
  private static Map<String, Object> compare(
      String label, BeirSplit part, CandidateSets candidates, Reranker reranker, PrintStream out) {
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("queries", part.size());
    // Per-query NDCG@10 of each ranking, for the paired difference and its standard error.
    double[][] perQuery = new double[2][part.size()];
    int which = 0;
    for (Reranker r : List.of(Reranker.NONE, reranker)) {
      int k = 0;
      double ndcg = 0;
      double mrr = 0;
      double recall = 0;
      long nanos = 0;
      for (Map.Entry<String, String> q : part.queries().entrySet()) {
        long t = System.nanoTime();
        List<Candidate> ranked = r.rerank(q.getValue(), candidates.hits().get(q.getKey()));
        nanos += System.nanoTime() - t;
        List<String> docs = documents(ranked);
        Map<String, Integer> relevant = part.qrels().get(q.getKey());
        perQuery[which][k] = RankingMetrics.ndcg(docs, relevant, 10);
        ndcg += perQuery[which][k++];
        mrr += RankingMetrics.mrr(docs, relevant, 10);
        recall += RankingMetrics.recall(docs, relevant, 100);
      }
      int n = Math.max(1, part.size());
      String ranking = r == Reranker.NONE ? "fusion" : "reranked";
      out.printf(
          Locale.ROOT,
          "%-10s %-9s %7d %8.4f %8.4f %10.4f %9.0f%n",
          label,
          ranking,
          part.size(),
          ndcg / n,
          mrr / n,
          recall / n,
          nanos / 1e3 / n);
      result.put(
          ranking,
          ordered(
              "ndcg@10",
              round(ndcg / n),
              "mrr@10",
              round(mrr / n),
              "recall@100",
              round(recall / n)));
      which++;
    }
    int n = part.size();
    if (n > 1) {
      double mean = 0;
      for (int q = 0; q < n; q++) {
        mean += (perQuery[1][q] - perQuery[0][q]) / n;
      }
      double variance = 0;
      int better = 0;
      int worse = 0;
      for (int q = 0; q < n; q++) {
        double d = perQuery[1][q] - perQuery[0][q];
        variance += (d - mean) * (d - mean) / (n - 1);
        better += d > 1e-12 ? 1 : 0;
        worse += d < -1e-12 ? 1 : 0;
      }
      double se = Math.sqrt(variance / n);
      out.printf(
          Locale.ROOT,
          "%-10s reranked - fusion: ndcg@10 %+.4f (paired standard error %.4f);"
              + " %d queries better, %d worse, %d equal%n",
          label,
          mean,
          se,
          better,
          worse,
          n - better - worse);
      result.put(
          "ndcg@10Delta",
          ordered(
              "mean", round(mean), "standardError", round(se), "better", better, "worse", worse));
    }
    return result;
  }

  static List<String> documents(List<Candidate> ranked) {
    LinkedHashSet<String> docs = new LinkedHashSet<>();
    for (Candidate h : ranked) {
      docs.add(h.chunk().source());
    }
    return new ArrayList<>(docs);
  }

  /** A map that keeps the order of its keys, so the model file reads the same on every run. */
  private static Map<String, Object> ordered(Object... keysAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int k = 0; k < keysAndValues.length; k += 2) {
      map.put((String) keysAndValues[k], keysAndValues[k + 1]);
    }
    return map;
  }

  private static double round(double v) {
    return Math.round(v * 10_000) / 10_000.0;
  }
}
