package io.engram.workflows.training;

/**
 * What the activities of one retraining share once it decided to run.
 *
 * @param collection the collection retrained
 * @param labelled its labelled set
 * @param fingerprint the data's fingerprint (corpus content hashes and the labelled set)
 * @param reason why it runs
 * @param champion the serving version's number; null when the collection has none
 */
public record RetrainingJob(
    String collection, LabelledSet labelled, String fingerprint, String reason, Integer champion) {}
