package io.engram.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.engram.cli.EngramClient.QueryRequest;
import io.engram.cli.EngramClient.QueryResponse;
import io.engram.cli.EngramClient.QuerySource;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * Retrieval quality on a BEIR-format folder through the public query API: NDCG@10, MRR@10,
 * Recall@10/@100 and client-side latency. Only the query text is sent; the corpus must already be
 * ingested into the collection ({@code ./engram eval} does that first).
 */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    versionProvider = EngramCli.VersionProvider.class,
    description =
        "Evaluate retrieval on a BEIR folder (corpus.jsonl, queries.jsonl, qrels/SPLIT.tsv).")
final class EvalCommand implements Callable<Integer> {
  /** Passages asked for per query; the API's maximum, so Recall@100 is as complete as it can be. */
  static final int DEPTH = 100;

  @ParentCommand EngramCli root;

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "DIR", description = "BEIR folder.")
  Path dir;

  @Option(
      names = "--split",
      paramLabel = "SPLIT",
      defaultValue = "test",
      description = "qrels split (default: ${DEFAULT-VALUE}; falls back to train when absent).")
  String split;

  @Option(
      names = "--collection",
      paramLabel = "NAME",
      description = "Collection holding the corpus (default: the folder's name).")
  String collection;

  @Option(names = "--limit", paramLabel = "N", description = "Evaluate only the first N queries.")
  Integer limit;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Path qrelsFile = dir.resolve("qrels").resolve(split + ".tsv");
    if (!Files.isReadable(qrelsFile) && split.equals("test")) {
      split = "train";
      qrelsFile = dir.resolve("qrels").resolve("train.tsv");
    }
    if (!Files.isReadable(qrelsFile) || !Files.isReadable(dir.resolve("queries.jsonl"))) {
      throw new CliException(
          "not a BEIR folder: need queries.jsonl and qrels/" + split + ".tsv in " + dir, 2);
    }
    String coll = collection != null ? collection : defaultCollection(dir);
    Map<String, Map<String, Integer>> qrels = readQrels(qrelsFile);
    Map<String, String> queries = readQueries(dir.resolve("queries.jsonl"), qrels);
    List<String> ids = new ArrayList<>(queries.keySet());
    if (limit != null) {
      ids = ids.subList(0, Math.min(limit, ids.size()));
    }
    EngramClient client = root.client();
    double ndcg = 0;
    double mrr = 0;
    double recall10 = 0;
    double recall100 = 0;
    double[] latencies = new double[ids.size()];
    for (int i = 0; i < ids.size(); i++) {
      String id = ids.get(i);
      long start = System.nanoTime();
      QueryResponse response =
          client.query(new QueryRequest(queries.get(id), coll, DEPTH, null)).value();
      latencies[i] = (System.nanoTime() - start) / 1e6;
      List<String> ranked = rankedDocuments(response.sources());
      Map<String, Integer> relevant = qrels.get(id);
      ndcg += Metrics.ndcg(ranked, relevant, 10);
      mrr += Metrics.mrr(ranked, relevant, 10);
      recall10 += Metrics.recall(ranked, relevant, 10);
      recall100 += Metrics.recall(ranked, relevant, 100);
      if ((i + 1) % 100 == 0) {
        err.printf(Locale.ROOT, "eval %d/%d queries%n", i + 1, ids.size());
        err.flush();
      }
    }
    int n = ids.size();
    Arrays.sort(latencies);
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("collection", coll);
    result.put("split", split);
    result.put("queries", n);
    result.put("ndcg@10", ndcg / n);
    result.put("mrr@10", mrr / n);
    result.put("recall@10", recall10 / n);
    result.put("recall@100", recall100 / n);
    result.put("p50_ms", Metrics.percentile(latencies, 50));
    result.put("p95_ms", Metrics.percentile(latencies, 95));
    if (root.json()) {
      out.println(EngramClient.JSON.writeValueAsString(result));
    } else {
      out.printf(Locale.ROOT, "%-12s %s%n", "collection", coll);
      out.printf(Locale.ROOT, "%-12s %s (%d queries)%n", "split", split, n);
      for (String metric :
          List.of("ndcg@10", "mrr@10", "recall@10", "recall@100", "p50_ms", "p95_ms")) {
        out.printf(Locale.ROOT, "%-12s %.4f%n", metric, (Double) result.get(metric));
      }
      out.printf(
          Locale.ROOT,
          "eval ndcg@10=%.4f mrr@10=%.4f recall@100=%.4f p50_ms=%.1f p95_ms=%.1f queries=%d%n",
          ndcg / n,
          mrr / n,
          recall100 / n,
          result.get("p50_ms"),
          result.get("p95_ms"),
          n);
    }
    out.flush();
    return 0;
  }

  /** Chunks are collapsed to their documents, each ranked by its best chunk. */
  static List<String> rankedDocuments(List<QuerySource> sources) {
    LinkedHashSet<String> docs = new LinkedHashSet<>();
    for (QuerySource s : sources) {
      docs.add(s.source());
    }
    return new ArrayList<>(docs);
  }

  static String defaultCollection(Path dir) {
    String name =
        dir.toAbsolutePath().normalize().getFileName().toString().toLowerCase(Locale.ROOT);
    name = name.replaceAll("[^a-z0-9_.-]", "-");
    return name.isEmpty() ? "eval" : name;
  }

  private static Map<String, Map<String, Integer>> readQrels(Path file) throws IOException {
    Map<String, Map<String, Integer>> qrels = new LinkedHashMap<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      boolean first = true;
      while ((line = in.readLine()) != null) {
        String[] cols = line.split("\t");
        if (first && cols.length >= 3 && !cols[2].strip().matches("-?\\d+")) {
          first = false;
          continue;
        }
        first = false;
        if (cols.length < 3) {
          continue;
        }
        int score = Integer.parseInt(cols[2].strip());
        if (score > 0) {
          qrels.computeIfAbsent(cols[0].strip(), k -> new HashMap<>()).put(cols[1].strip(), score);
        }
      }
    }
    return qrels;
  }

  private static Map<String, String> readQueries(Path file, Map<String, Map<String, Integer>> qrels)
      throws IOException {
    Map<String, String> byId = new HashMap<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode node = EngramClient.JSON.readTree(line);
      byId.put(node.path("_id").asText(), node.path("text").asText());
    }
    Map<String, String> ordered = new LinkedHashMap<>();
    for (String id : qrels.keySet()) {
      if (byId.containsKey(id)) {
        ordered.put(id, byId.get(id));
      }
    }
    return ordered;
  }
}
