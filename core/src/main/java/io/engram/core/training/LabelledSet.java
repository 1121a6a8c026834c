package io.engram.core.training;

import io.engram.core.evaluation.EvaluationRuns;
import io.engram.core.evaluation.QuerySplit;
import java.util.Map;

/**
 * The labelled data a retraining learns from and is judged on: a BEIR {@code queries.jsonl} and one
 * qrels split, stored as blobs. Its fitting part chooses the parameters; its held-out part judges
 * the result (see {@code QuerySplit}).
 *
 * @param dataset a name for the record, e.g. {@code scifact}
 * @param split the qrels split, e.g. {@code train}
 * @param queriesBlob SHA-256 of the stored {@code queries.jsonl}
 * @param qrelsBlob SHA-256 of the stored {@code qrels/<split>.tsv}
 */
public record LabelledSet(String dataset, String split, String queriesBlob, String qrelsBlob) {

  /** The eval set a version's figures on the held-out part are stored under. */
  public String heldOutEvalSet() {
    return new EvaluationRuns.EvalSet(dataset, split, QuerySplit.Part.HELD_OUT.wireName()).key();
  }

  /** The lineage keys it is recorded under, so a later retraining can reuse it. */
  public Map<String, Object> lineage() {
    return Map.of(
        "dataset", dataset, "split", split, "queriesBlob", queriesBlob, "qrelsBlob", qrelsBlob);
  }

  /** The labelled set a version's lineage records; null when it records none (e.g. migrated). */
  public static LabelledSet fromLineage(Map<String, Object> lineage) {
    Object queries = lineage.get("queriesBlob");
    Object qrels = lineage.get("qrelsBlob");
    if (queries == null || qrels == null) {
      return null;
    }
    return new LabelledSet(
        String.valueOf(lineage.getOrDefault("dataset", "labelled")),
        String.valueOf(lineage.getOrDefault("split", "train")),
        queries.toString(),
        qrels.toString());
  }
}
