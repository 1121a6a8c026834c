package io.engram.workflows.training;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A retraining of one collection's model.
 *
 * @param collection the collection whose model is retrained
 * @param trigger who asked: {@code manual} (API, CLI), {@code schedule} or {@code drift}
 * @param force retrain whatever the decision says
 * @param labelled the labelled set to learn from and be judged on; null to reuse the one the
 *     collection's newest version was trained on
 * @param params parameters pinned by the caller. Retrieval parameters (the search space's): that
 *     configuration is trained and gated without a search. Index parameters ({@link
 *     #INDEX_PARAMS}): the candidate gets an index of its own, rebuilt from the collection's
 *     documents with that embedding model and chunking beside the champion's (a child ingestion),
 *     and the search, or the pinned retrieval parameters, work on it. Empty for a search on the
 *     champion's index
 */
public record RetrainingRequest(
    String collection,
    String trigger,
    boolean force,
    LabelledSet labelled,
    Map<String, String> params) {

  public static final String MANUAL = "manual";
  public static final String SCHEDULE = "schedule";
  public static final String DRIFT = "drift";

  /** The index parameter naming the candidate index's embedding model. */
  public static final String EMBEDDING_MODEL = "embeddingModel";

  /** The pinned parameters that choose the candidate's index rather than its retrieval. */
  public static final List<String> INDEX_PARAMS =
      List.of(EMBEDDING_MODEL, "chunkSize", "chunkOverlap");

  public RetrainingRequest {
    if (collection == null || collection.isBlank()) {
      throw new IllegalArgumentException("collection is required");
    }
    if (!List.of(MANUAL, SCHEDULE, DRIFT).contains(trigger)) {
      throw new IllegalArgumentException(
          "trigger must be one of manual, schedule, drift, got " + trigger);
    }
    params = params == null ? Map.of() : Map.copyOf(params);
  }

  /** The pinned index parameters, in {@link #INDEX_PARAMS} order. */
  public Map<String, String> indexParams() {
    Map<String, String> out = new LinkedHashMap<>();
    INDEX_PARAMS.stream().filter(params::containsKey).forEach(k -> out.put(k, params.get(k)));
    return out;
  }

  /** The pinned retrieval parameters: every pinned one but the index parameters. */
  public Map<String, String> retrievalParams() {
    Map<String, String> out = new TreeMap<>(params);
    INDEX_PARAMS.forEach(out::remove);
    return out;
  }
}
