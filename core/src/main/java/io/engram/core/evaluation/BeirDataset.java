package io.engram.core.evaluation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the query side of a BEIR-format folder: {@code queries.jsonl} (one {@code {"_id", "text"}}
 * per line) and {@code qrels/<split>.tsv} ({@code query-id, corpus-id, score}, with an optional
 * header line), and selects the judged queries of one part of the split.
 */
public final class BeirDataset {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A judged query: its text and the relevant documents with their graded relevance (> 0). */
  public record Query(String id, String text, Map<String, Integer> relevant) {
    public Query {
      relevant = Collections.unmodifiableMap(new LinkedHashMap<>(relevant));
    }
  }

  /**
   * The queries to evaluate, in the order the qrels first name them.
   *
   * @param queries the selected queries
   * @param judged queries with at least one relevant document in the split, before the part and the
   *     limit are applied
   * @param withoutText judged queries missing from {@code queries.jsonl} (skipped)
   */
  public record Selection(List<Query> queries, int judged, int withoutText) {
    public Selection {
      queries = List.copyOf(queries);
    }
  }

  /** The files do not have the BEIR format; the message names the file and the line. */
  public static final class InvalidDatasetException extends Exception {
    public InvalidDatasetException(String message) {
      super(message);
    }
  }

  private BeirDataset() {}

  /**
   * Selects the judged queries of {@code part}, at most {@code limit} of them (all when null).
   *
   * @throws InvalidDatasetException when a file is malformed or no query is left to evaluate
   */
  public static Selection select(
      byte[] queriesJsonl, byte[] qrelsTsv, QuerySplit.Part part, Integer limit)
      throws InvalidDatasetException {
    Map<String, Map<String, Integer>> qrels = parseQrels(qrelsTsv);
    Map<String, String> texts = parseQueries(queriesJsonl);
    List<Query> selected = new ArrayList<>();
    int withoutText = 0;
    for (Map.Entry<String, Map<String, Integer>> judged : qrels.entrySet()) {
      String text = texts.get(judged.getKey());
      if (text == null) {
        withoutText++;
        continue;
      }
      if (part.contains(judged.getKey()) && (limit == null || selected.size() < limit)) {
        selected.add(new Query(judged.getKey(), text, judged.getValue()));
      }
    }
    if (selected.isEmpty()) {
      throw new InvalidDatasetException(
          qrels.isEmpty()
              ? "the qrels file judges no document relevant (no row with a score above 0)"
              : "no judged query is left to evaluate: "
                  + qrels.size()
                  + " judged, "
                  + withoutText
                  + " of them missing from queries.jsonl, none in part "
                  + part.wireName());
    }
    return new Selection(selected, qrels.size(), withoutText);
  }

  /**
   * Relevant documents per query, keeping rows with a score above 0. The first line may be a header
   * (its score column is not a number); blank lines are ignored.
   */
  static Map<String, Map<String, Integer>> parseQrels(byte[] tsv) throws InvalidDatasetException {
    Map<String, Map<String, Integer>> qrels = new LinkedHashMap<>();
    String[] lines = utf8Text(tsv).split("\r?\n");
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.isBlank()) {
        continue;
      }
      String[] cols = line.split("\t");
      if (cols.length < 3) {
        throw new InvalidDatasetException(
            "qrels line "
                + (i + 1)
                + " has "
                + cols.length
                + " tab-separated column(s), expected query-id, corpus-id, score");
      }
      String score = cols[2].strip();
      if (!score.matches("-?\\d{1,9}")) {
        if (i == 0) {
          continue;
        }
        throw new InvalidDatasetException(
            "qrels line " + (i + 1) + ": score '" + score + "' is not an integer");
      }
      String query = cols[0].strip();
      String doc = cols[1].strip();
      if (query.isEmpty() || doc.isEmpty()) {
        throw new InvalidDatasetException("qrels line " + (i + 1) + ": empty query or corpus id");
      }
      int relevance = Integer.parseInt(score);
      if (relevance > 0) {
        qrels.computeIfAbsent(query, k -> new HashMap<>()).put(doc, relevance);
      }
    }
    return qrels;
  }

  /** Query texts by id. */
  static Map<String, String> parseQueries(byte[] jsonl) throws InvalidDatasetException {
    Map<String, String> byId = new HashMap<>();
    String[] lines = utf8Text(jsonl).split("\r?\n");
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].isBlank()) {
        continue;
      }
      JsonNode node;
      try {
        node = JSON.readTree(lines[i]);
      } catch (JsonProcessingException e) {
        throw new InvalidDatasetException("queries.jsonl line " + (i + 1) + " is not JSON");
      }
      JsonNode id = node == null ? null : node.get("_id");
      JsonNode text = node == null ? null : node.get("text");
      if (id == null || !id.isValueNode() || text == null || !text.isTextual()) {
        throw new InvalidDatasetException(
            "queries.jsonl line " + (i + 1) + " needs an \"_id\" and a \"text\" string");
      }
      if (!text.asText().isBlank()) {
        byId.put(id.asText(), text.asText());
      }
    }
    return byId;
  }

  /**
   * Decodes a dataset file, without the byte order mark some editors write at the start of UTF-8
   * files: left in, it would be part of the first query id (qrels) or make the first line invalid
   * JSON (queries).
   */
  private static String utf8Text(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.UTF_8);
    return text.startsWith("\uFEFF") ? text.substring(1) : text;
  }
}
