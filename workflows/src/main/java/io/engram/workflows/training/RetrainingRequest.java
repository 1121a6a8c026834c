package io.engram.workflows.training;

import java.util.Map;

/**
 * A retraining of one collection's model.
 *
 * @param collection the collection whose model is retrained
 * @param trigger who asked: {@code manual} (API, CLI), {@code schedule} or {@code drift}
 * @param force retrain whatever the decision says
 * @param queriesBlob SHA-256 of the labelled set's {@code queries.jsonl} (uploaded as a blob); null
 *     to reuse the collection's last labelled set
 * @param qrelsBlob SHA-256 of its {@code qrels/<split>.tsv}; null with {@code queriesBlob}
 * @param split the qrels' split name, for the record
 * @param params parameters pinned by the caller: a fixed configuration is trained and gated without
 *     a search; empty for a search
 */
public record RetrainingRequest(
    String collection,
    String trigger,
    boolean force,
    String queriesBlob,
    String qrelsBlob,
    String split,
    Map<String, String> params) {

  public static final String MANUAL = "manual";
  public static final String SCHEDULE = "schedule";
  public static final String DRIFT = "drift";

  public RetrainingRequest {
    params = params == null ? Map.of() : Map.copyOf(params);
  }
}
