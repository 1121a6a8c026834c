package io.engram.workers.bench;

import io.engram.core.config.EngramSettings;
import io.engram.core.config.SettingsSource;
import io.engram.core.evaluation.QuerySplit;
import io.engram.core.evaluation.RankingMetrics;
import io.engram.core.rerank.LinearReranker;
import io.engram.core.rerank.Reranker;
import io.engram.core.retrieval.Candidate;
import io.engram.core.store.PgVectorChunkStore.ChunkHit;
import io.engram.workers.training.BeirSplit;
import io.engram.workers.training.CandidateSets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Time spent in {@link Reranker#rerank} per query, over the real fused candidates of a BEIR split's
 * queries. The JIT is first warmed on copies of the same lists under other chunk and document ids
 * (so the reranker's code is compiled but none of the real passages is cached); then one cold pass,
 * where every passage is analyzed for the first time, and repeated rounds with passages cached, as
 * on a warm query path. Both wall-clock and thread CPU time are reported: on a shared two-core
 * machine the wall clock includes waiting for a core. Retrieval itself is not timed.
 */
public final class RerankBenchmark {

  static final String USAGE =
      """
      usage: RerankBenchmark DIR [options]
        DIR                 BEIR folder already ingested into --collection
        --split NAME        qrels split whose queries to use (default train)
        --part PART         ALL, FIT or HELD_OUT (default HELD_OUT)
        --collection NAME   collection holding the corpus (default: the folder's name)
        --db-url URL        JDBC URL (default $ENGRAM_DB_URL or jdbc:postgresql://127.0.0.1:55432/engram)
        --db-user NAME      database user (default $ENGRAM_DB_USER or engram)
        --model FILE        linear model JSON (default: the one bundled with core)
        --candidates N      fused candidates per query (default 100)
        --rounds N          timed rounds over all queries once warm (default 20)
      """;

  /**
   * Rerank time per query, in microseconds.
   *
   * @param lists candidate lists timed per round
   * @param meanCandidates mean candidates per list
   */
  public record Latency(
      int lists,
      double meanCandidates,
      double mean,
      double p50,
      double p95,
      double max,
      double cpuMean,
      double cpuP95) {

    static Latency of(double[] micros, double[] cpuMicros, int lists, double meanCandidates) {
      double[] sorted = micros.clone();
      Arrays.sort(sorted);
      double[] cpu = cpuMicros.clone();
      Arrays.sort(cpu);
      return new Latency(
          lists,
          meanCandidates,
          Arrays.stream(sorted).average().orElse(0),
          RankingMetrics.percentile(sorted, 50),
          RankingMetrics.percentile(sorted, 95),
          sorted.length == 0 ? 0 : sorted[sorted.length - 1],
          Arrays.stream(cpu).average().orElse(0),
          RankingMetrics.percentile(cpu, 95));
    }

    public String format() {
      return String.format(
          Locale.ROOT,
          "wall mean %.0f us, p50 %.0f us, p95 %.0f us, max %.0f us; cpu mean %.0f us, p95 %.0f us;"
              + " %d lists of %.0f candidates",
          mean,
          p50,
          p95,
          max,
          cpuMean,
          cpuP95,
          lists,
          meanCandidates);
    }
  }

  private static final java.lang.management.ThreadMXBean THREADS =
      java.lang.management.ManagementFactory.getThreadMXBean();

  /** Keeps the timed work from being optimized away. */
  static volatile long blackhole;

  private RerankBenchmark() {}

  /** One pass over every list, in order: cold when the lists' passages were never analyzed. */
  public static Latency once(Reranker reranker, List<String> queries, List<List<Candidate>> lists) {
    return timed(reranker, queries, lists, 1);
  }

  /** {@code rounds} passes over every list after five untimed warm-up passes. */
  public static Latency warm(
      Reranker reranker, List<String> queries, List<List<Candidate>> lists, int rounds) {
    timed(reranker, queries, lists, 5);
    return timed(reranker, queries, lists, rounds);
  }

  private static Latency timed(
      Reranker reranker, List<String> queries, List<List<Candidate>> lists, int rounds) {
    double[] micros = new double[lists.size() * rounds];
    double[] cpu = new double[lists.size() * rounds];
    long sink = 0;
    int k = 0;
    for (int round = 0; round < rounds; round++) {
      for (int i = 0; i < lists.size(); i++) {
        long c = THREADS.getCurrentThreadCpuTime();
        long t = System.nanoTime();
        sink += reranker.rerank(queries.get(i), lists.get(i)).size();
        micros[k] = (System.nanoTime() - t) / 1e3;
        cpu[k++] = (THREADS.getCurrentThreadCpuTime() - c) / 1e3;
      }
    }
    blackhole = sink;
    double candidates = lists.stream().mapToInt(List::size).average().orElse(0);
    return Latency.of(micros, cpu, lists.size(), candidates);
  }

  /** The candidate lists of {@code part}'s queries; their texts are added to {@code texts}. */
  public static List<List<Candidate>> lists(
      BeirSplit part, CandidateSets sets, List<String> texts) {
    List<List<Candidate>> lists = new ArrayList<>();
    for (Map.Entry<String, String> q : part.queries().entrySet()) {
      texts.add(q.getValue());
      lists.add(sets.hits().get(q.getKey()));
    }
    return lists;
  }

  /** The same candidates under chunk and document ids no stored chunk has. */
  static List<Candidate> underOtherIds(List<Candidate> hits) {
    long offset = 1L << 40;
    return hits.stream()
        .map(
            h ->
                new Candidate(
                    new ChunkHit(
                        h.chunk().chunkId() + offset,
                        h.chunk().documentId() + offset,
                        h.chunk().source(),
                        h.chunk().title(),
                        h.chunk().text(),
                        h.chunk().score()),
                    h.score(),
                    h.dense(),
                    h.lexical()))
        .toList();
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> env = System.getenv();
    Path dir = null;
    String split = "train";
    QuerySplit.Part part = QuerySplit.Part.HELD_OUT;
    String collection = null;
    String dbUrl = env.getOrDefault("ENGRAM_DB_URL", "jdbc:postgresql://127.0.0.1:55432/engram");
    String dbUser = env.getOrDefault("ENGRAM_DB_USER", "engram");
    Path model = null;
    int candidates = EngramSettings.defaults().retrieval().candidates();
    int rounds = 20;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--help", "-h" -> {
          System.out.print(USAGE);
          return;
        }
        case "--split" -> split = args[++i];
        case "--part" -> part = QuerySplit.Part.valueOf(args[++i].toUpperCase(Locale.ROOT));
        case "--collection" -> collection = args[++i];
        case "--db-url" -> dbUrl = args[++i];
        case "--db-user" -> dbUser = args[++i];
        case "--model" -> model = Path.of(args[++i]);
        case "--candidates" -> candidates = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        default -> {
          if (args[i].startsWith("-") || dir != null) {
            System.err.println("error: unknown argument " + args[i]);
            System.err.print(USAGE);
            System.exit(2);
          }
          dir = Path.of(args[i]).toAbsolutePath().normalize();
        }
      }
    }
    if (dir == null) {
      System.err.print(USAGE);
      System.exit(2);
    }
    if (collection == null) {
      collection = dir.getFileName().toString().toLowerCase(Locale.ROOT);
    }
    LinearReranker reranker =
        model == null
            ? LinearReranker.fromResource(LinearReranker.DEFAULT_RESOURCE)
            : LinearReranker.fromFile(model);
    BeirSplit queries = BeirSplit.read(dir, split).part(part);
    EngramSettings settings =
        EngramSettings.from(
            SettingsSource.of(
                env,
                Map.of(
                    "ENGRAM_DB_URL",
                    dbUrl,
                    "ENGRAM_DB_USER",
                    dbUser,
                    "ENGRAM_MIGRATE_ON_START",
                    "false")));
    CandidateSets sets =
        CandidateSets.retrieve(
            settings, null, collection, queries.queries(), candidates, System.err);
    List<String> texts = new ArrayList<>();
    List<List<Candidate>> lists = lists(queries, sets, texts);
    List<List<Candidate>> copies = lists.stream().map(RerankBenchmark::underOtherIds).toList();
    // Compiles the reranker's code (analysis and cached paths) without caching the real passages.
    for (int round = 0; round < 3; round++) {
      once(reranker, texts, copies);
    }
    Latency cold = once(reranker, texts, lists);
    Latency warm = warm(reranker, texts, lists, rounds);
    System.out.printf(
        Locale.ROOT, "rerank %s %s %s, cold: %s%n", reranker.name(), split, part, cold.format());
    System.out.printf(
        Locale.ROOT,
        "rerank %s %s %s, warm (%d rounds): %s%n",
        reranker.name(),
        split,
        part,
        rounds,
        warm.format());
  }
}
