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

  /** The ingestion run to validate, or the index version it wrote, is unknown. */
  public static final String UNKNOWN_RUN = "UnknownRun";

  /** The session to distil or close does not exist (any more). Non-retryable. */
  public static final String UNKNOWN_SESSION = "UnknownSession";

  /**
   * Fact extraction produced output that is not a valid list of facts. Retryable on purpose: an LLM
   * may answer well on the next attempt; the activity throws it non-retryable from attempt {@code
   * DistillationActivities.MALFORMED_ATTEMPTS}, and then the batch is recorded as failed and
   * nothing of it is stored. The only extraction failure that gives a batch up.
   */
  public static final String MALFORMED_EXTRACTION = "MalformedExtraction";

  /**
   * An evaluation asked for answers, but the worker polling the {@code llm} task queue has no LLM
   * configured ({@code ENGRAM_LLM_*}). Non-retryable: configuring one means restarting the worker.
   */
  public static final String LLM_NOT_CONFIGURED = "LlmNotConfigured";

  /**
   * A retraining's labelled set is missing, malformed, too small, judges documents the collection
   * does not hold or leaks held-out queries; or its pinned parameters are not in the search space.
   */
  public static final String INVALID_LABELLED_SET = "InvalidLabelledSet";

  /**
   * A rollout cannot begin: no such version, not registered, already the champion, no champion,
   * another rollout of the collection running, or overrides that make no valid plan.
   */
  public static final String ROLLOUT_REFUSED = "RolloutRefused";

  /**
   * A rollout's promotion that the current state refuses: the candidate is no longer registered
   * (archived, rejected), the champion is no longer the one the rollout started from (moved by
   * hand), or the rollout has ended. Non-retryable: no retry changes that, and a retried promotion
   * would hold the workflow (and its abort) for ever; the workflow rolls back with the reason
   * instead.
   */
  public static final String ROLLOUT_MOVE_REFUSED = "RolloutMoveRefused";

  private FailureTypes() {}
}
