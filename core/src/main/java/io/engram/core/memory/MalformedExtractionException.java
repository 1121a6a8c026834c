package io.engram.core.memory;

/**
 * An extractor's output was not a valid list of facts (an LLM answered with prose, broken JSON or
 * facts missing required fields). The batch is retried and, if it stays malformed, recorded as
 * failed with nothing stored.
 */
public final class MalformedExtractionException extends Exception {
  public MalformedExtractionException(String message) {
    super(message);
  }

  public MalformedExtractionException(String message, Throwable cause) {
    super(message, cause);
  }
}
