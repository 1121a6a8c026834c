package io.engram.workflows.training;

/**
 * What the activities of one retraining share once it decided to run.
 *
 * @param collection the collection retrained
 * @param labelled its labelled set
 * @param fingerprint the data's fingerprint (corpus content hashes and the labelled set)
 * @param reason why it runs
 * @param champion the serving version's number; null when the collection has none
 * @param indexVersion the index version the search and the candidate work on: null for the
 *     champion's, else the one rebuilt for this retraining (absent from histories recorded before
 *     candidates could have an index of their own)
 */
public record RetrainingJob(
    String collection,
    LabelledSet labelled,
    String fingerprint,
    String reason,
    Integer champion,
    Integer indexVersion) {

  /** A job on the champion's index. */
  public RetrainingJob(
      String collection,
      LabelledSet labelled,
      String fingerprint,
      String reason,
      Integer champion) {
    this(collection, labelled, fingerprint, reason, champion, null);
  }

  /** This job, on index version {@code id}. */
  public RetrainingJob onIndex(int id) {
    return new RetrainingJob(collection, labelled, fingerprint, reason, champion, id);
  }
}
