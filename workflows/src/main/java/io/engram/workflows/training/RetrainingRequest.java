package io.engram.workflows.training;

import java.util.List;
import java.util.Map;

/**
 * A retraining of one collection's model.
 *
 * @param collection the collection whose model is retrained
 * @param trigger who asked: {@code manual} (API, CLI), {@code schedule} or {@code drift}
 * @param force retrain whatever the decision says
 * @param labelled the labelled set to learn from and be judged on; null to reuse the one the
 *     collection's newest version was trained on
 * @param params parameters pinned by the caller: a fixed configuration is trained and gated without
 *     a search; empty for a search
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
}
