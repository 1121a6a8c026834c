package io.engram.workflows.common;

/**
 * Types of non-retryable application failures, in one place. Activities throw {@code
 * ApplicationFailure.newNonRetryableFailure(message, TYPE)} with these; retry policies list them as
 * do-not-retry so a permanent error fails fast with its reason instead of retrying for hours.
 */
public final class FailureTypes {
  /** The source to ingest does not exist, is unreadable, or its upload manifest is gone. */
  public static final String INVALID_SOURCE = "InvalidSource";

  /** The collection to evaluate does not exist or has nothing indexed in the model version. */
  public static final String UNKNOWN_COLLECTION = "UnknownCollection";

  /** No index version has the requested model version name (or there is no champion yet). */
  public static final String UNKNOWN_MODEL_VERSION = "UnknownModelVersion";

  /** The queries or qrels of an evaluation are malformed, missing, or leave nothing to evaluate. */
  public static final String INVALID_DATASET = "InvalidDataset";

  private FailureTypes() {}
}
