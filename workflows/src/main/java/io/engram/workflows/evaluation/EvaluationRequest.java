package io.engram.workflows.evaluation;

import java.util.List;
import java.util.regex.Pattern;

/**
 * What to evaluate: the judged queries of one part of a BEIR split, against a collection, with one
 * model version. The queries and qrels travel as claim checks (hashes of uploaded blobs), never as
 * text, so workflow history stays small and holds no query.
 *
 * @param dataset name of the dataset, for the record (for example {@code scifact})
 * @param split qrels split: one of {@link #SPLITS}
 * @param part part of the split: one of {@link #PARTS} (see {@code QuerySplit})
 * @param collection collection holding the ingested corpus
 * @param modelVersion index version name, or null for the champion
 * @param queriesBlob SHA-256 of the uploaded {@code queries.jsonl}; null with {@code fromRun}
 * @param qrelsBlob SHA-256 of the uploaded {@code qrels/<split>.tsv}; null with {@code fromRun}
 * @param limit evaluate at most this many queries, or null for all
 * @param answers how many of the evaluated queries the advisory answer tier answers with the
 *     worker's LLM (a deterministic sample), at most {@link #MAX_ANSWERS}; null or 0 for none
 * @param fromRun instead of the blobs: the stored evaluation run whose judged queries are evaluated
 *     again (a retraining measures a candidate on every eval set its champion has figures for); its
 *     dataset, split, part and collection must be the ones given here. Null (and absent from
 *     histories recorded before it existed) with the blobs
 */
public record EvaluationRequest(
    String dataset,
    String split,
    String part,
    String collection,
    String modelVersion,
    String queriesBlob,
    String qrelsBlob,
    Integer limit,
    Integer answers,
    Long fromRun) {

  /**
   * Most answers one run may ask for: at up to half a minute per answer from a small local model, a
   * thousand already take hours.
   */
  public static final int MAX_ANSWERS = 1000;

  /** The qrels splits of a BEIR folder. */
  public static final List<String> SPLITS = List.of("test", "train", "dev");

  /** The parts of a split: everything, the fitting part, the held-out part. */
  public static final List<String> PARTS = List.of("all", "fit", "held-out");

  private static final Pattern SHA256 = Pattern.compile("^[0-9a-f]{64}$");

  public EvaluationRequest {
    if (dataset == null || dataset.isBlank()) {
      throw new IllegalArgumentException("dataset is required");
    }
    if (!SPLITS.contains(split)) {
      throw new IllegalArgumentException("split must be one of " + SPLITS + ", got " + split);
    }
    if (!PARTS.contains(part)) {
      throw new IllegalArgumentException("part must be one of " + PARTS + ", got " + part);
    }
    if (collection == null || collection.isBlank()) {
      throw new IllegalArgumentException("collection is required");
    }
    if (fromRun != null) {
      if (fromRun < 1) {
        throw new IllegalArgumentException("fromRun must be a run id, got " + fromRun);
      }
      if (queriesBlob != null || qrelsBlob != null) {
        throw new IllegalArgumentException("give either fromRun or the blobs, not both");
      }
    } else {
      if (queriesBlob == null || !SHA256.matcher(queriesBlob).matches()) {
        throw new IllegalArgumentException("queriesBlob must be a lowercase hex SHA-256");
      }
      if (qrelsBlob == null || !SHA256.matcher(qrelsBlob).matches()) {
        throw new IllegalArgumentException("qrelsBlob must be a lowercase hex SHA-256");
      }
    }
    if (limit != null && limit < 1) {
      throw new IllegalArgumentException("limit must be positive, got " + limit);
    }
    if (answers != null && (answers < 0 || answers > MAX_ANSWERS)) {
      throw new IllegalArgumentException(
          "answers must be between 0 and " + MAX_ANSWERS + ", got " + answers);
    }
  }

  /** The number of answers asked for; 0 when none. */
  public int answerCount() {
    return answers == null ? 0 : answers;
  }
}
