package io.engram.core.training;

/**
 * The labelled set cannot train or judge a model: missing, malformed, too small, judging documents
 * the collection does not hold, or leaking held-out queries into the fitting part. Retrying cannot
 * help; the message says what to fix.
 */
public final class InvalidLabelledSetException extends Exception {
  public InvalidLabelledSetException(String message) {
    super(message);
  }
}
