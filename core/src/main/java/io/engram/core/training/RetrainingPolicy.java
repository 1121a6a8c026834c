package io.engram.core.training;

import java.time.Duration;
import java.time.Instant;

/**
 * Decides whether a retraining has a reason to run. A pure function of what the registry and the
 * data say, so every reason is unit-tested and a retried decision gives the same answer.
 */
public final class RetrainingPolicy {
  public static final String FORCE = "force";
  public static final String NO_MODEL = "no_model";
  public static final String DATA_CHANGED = "data_changed";
  public static final String DRIFT = "drift";
  public static final String STILL_VALID = "model_still_valid";

  private RetrainingPolicy() {}

  /**
   * What the decision looks at.
   *
   * @param forced the request or {@code ENGRAM_RETRAIN_FORCE} asks to retrain whatever
   * @param driftTriggered a drift check started this retraining
   * @param championRegisteredAt when the serving version was registered; null when the collection
   *     has none
   * @param championFingerprint the data fingerprint the serving version was trained on; null when
   *     it was not trained here (e.g. migrated)
   * @param fingerprint the data's fingerprint now (corpus content hashes and labelled set)
   * @param alreadyTried a version staged or serving, or a rejected one, exists for this fingerprint
   * @param championNdcg the serving version's stored NDCG@10 on the labelled set; null if unknown
   * @param championNdcgNow its NDCG@10 measured now on the same set; null when not re-measured
   * @param feedbackSinceChampion feedback rows since the serving version was registered
   */
  public record Facts(
      boolean forced,
      boolean driftTriggered,
      Instant championRegisteredAt,
      String championFingerprint,
      String fingerprint,
      boolean alreadyTried,
      Double championNdcg,
      Double championNdcgNow,
      long feedbackSinceChampion) {}

  /** The decision: whether to retrain, and the reason stored with the run either way. */
  public record Decision(boolean retrain, String reason) {}

  /**
   * The first reason that applies, in this order: forced, no model, drift, model too old,
   * performance degraded, new feedback, data changed; otherwise the model is still valid. A version
   * already staged, serving or rejected for this very data means there is nothing new to try for
   * age, feedback or changed data (only forcing overrides that; drift and degradation say the world
   * moved, so they still retrain).
   */
  public static Decision decide(Facts f, TrainingSettings.Triggers triggers, Instant now) {
    if (f.forced()) {
      return new Decision(true, FORCE);
    }
    if (f.championRegisteredAt() == null) {
      return new Decision(true, NO_MODEL);
    }
    if (f.driftTriggered()) {
      return new Decision(true, DRIFT);
    }
    if (triggers.degradation() != null && f.championNdcg() != null && f.championNdcgNow() != null) {
      double drop = (f.championNdcg() - f.championNdcgNow()) / Math.max(1e-9, f.championNdcg());
      if (drop > triggers.degradation()) {
        return new Decision(true, "performance_degraded_" + Math.round(drop * 100));
      }
    }
    if (f.alreadyTried()) {
      return new Decision(false, STILL_VALID);
    }
    if (triggers.maxAge() != null) {
      Duration age = Duration.between(f.championRegisteredAt(), now);
      if (age.compareTo(triggers.maxAge()) > 0) {
        return new Decision(true, "model_too_old_" + age.toDays() + "_days");
      }
    }
    if (triggers.newFeedback() > 0 && f.feedbackSinceChampion() >= triggers.newFeedback()) {
      return new Decision(true, "new_feedback_" + f.feedbackSinceChampion());
    }
    if (!f.fingerprint().equals(f.championFingerprint())) {
      return new Decision(true, DATA_CHANGED);
    }
    return new Decision(false, STILL_VALID);
  }
}
