package io.engram.workflows.training;

/**
 * A drift check.
 *
 * @param collection the collection to check; null for every collection with live queries
 * @param retrain start a retraining (trigger {@code drift}) of each collection found drifting,
 *     unless one is running; the schedule asks for it
 */
public record DriftRequest(String collection, boolean retrain) {

  /** What the schedule runs: every collection, retraining those that drift. */
  public static DriftRequest scheduled() {
    return new DriftRequest(null, true);
  }
}
