package io.engram.workflows.common;

/**
 * Types of non-retryable application failures, in one place. Activities throw {@code
 * ApplicationFailure.newNonRetryableFailure(message, TYPE)} with these; retry policies list them as
 * do-not-retry so a permanent error fails fast with its reason instead of retrying for hours.
 */
public final class FailureTypes {
  /** The source to ingest does not exist, is unreadable, or its upload manifest is gone. */
  public static final String INVALID_SOURCE = "InvalidSource";

  private FailureTypes() {}
}
