package io.engram.workflows.training;

/**
 * The labelled set a retraining learns from and is judged on, as claim checks: a BEIR {@code
 * queries.jsonl} and one qrels split, stored as blobs (never their text in workflow history).
 *
 * @param dataset a name for the record, e.g. {@code scifact}
 * @param split the qrels split: {@code train}, {@code dev} or {@code test}
 * @param queriesBlob SHA-256 of the stored {@code queries.jsonl}
 * @param qrelsBlob SHA-256 of the stored {@code qrels/<split>.tsv}
 */
public record LabelledSet(String dataset, String split, String queriesBlob, String qrelsBlob) {}
