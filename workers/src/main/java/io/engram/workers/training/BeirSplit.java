package io.engram.workers.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.engram.core.evaluation.QuerySplit;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The judged queries of one split of a BEIR folder ({@code queries.jsonl} and {@code
 * qrels/SPLIT.tsv}): only queries with at least one positive judgement and a text, in qrels order.
 *
 * @param name the split's name, e.g. {@code train}
 * @param queries query id to text
 * @param qrels query id to (document id to grade), positive grades only
 */
public record BeirSplit(
    String name, Map<String, String> queries, Map<String, Map<String, Integer>> qrels) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Whether {@code dir} has qrels for {@code split}. */
  public static boolean exists(Path dir, String split) {
    return Files.isReadable(dir.resolve("qrels").resolve(split + ".tsv"));
  }

  public static BeirSplit read(Path dir, String split) throws IOException {
    Map<String, Map<String, Integer>> qrels =
        readQrels(dir.resolve("qrels").resolve(split + ".tsv"));
    Map<String, String> texts = new HashMap<>();
    try (BufferedReader in =
        Files.newBufferedReader(dir.resolve("queries.jsonl"), StandardCharsets.UTF_8)) {
      String line;
      while ((line = in.readLine()) != null) {
        if (!line.isBlank()) {
          JsonNode node = JSON.readTree(line);
          texts.put(node.path("_id").asText(), node.path("text").asText());
        }
      }
    }
    Map<String, String> queries = new LinkedHashMap<>();
    Map<String, Map<String, Integer>> judged = new LinkedHashMap<>();
    for (Map.Entry<String, Map<String, Integer>> e : qrels.entrySet()) {
      String text = texts.get(e.getKey());
      if (text != null && !text.isBlank()) {
        queries.put(e.getKey(), text);
        judged.put(e.getKey(), e.getValue());
      }
    }
    return new BeirSplit(split, queries, judged);
  }

  /** The queries of one part of the split (see {@link QuerySplit}). */
  public BeirSplit part(QuerySplit.Part part) {
    Map<String, String> q = new LinkedHashMap<>();
    Map<String, Map<String, Integer>> r = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : queries.entrySet()) {
      if (part.contains(e.getKey())) {
        q.put(e.getKey(), e.getValue());
        r.put(e.getKey(), qrels.get(e.getKey()));
      }
    }
    return new BeirSplit(name, q, r);
  }

  public int size() {
    return queries.size();
  }

  private static Map<String, Map<String, Integer>> readQrels(Path file) throws IOException {
    Map<String, Map<String, Integer>> qrels = new LinkedHashMap<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      boolean first = true;
      while ((line = in.readLine()) != null) {
        String[] cols = line.split("\t");
        boolean header = first && cols.length >= 3 && !cols[2].strip().matches("-?\\d+");
        first = false;
        if (header || cols.length < 3) {
          continue;
        }
        int grade = Integer.parseInt(cols[2].strip());
        if (grade > 0) {
          qrels.computeIfAbsent(cols[0].strip(), k -> new HashMap<>()).put(cols[1].strip(), grade);
        }
      }
    }
    return qrels;
  }
}
