package io.engram.core.ingestion;

/**
 * A document that can never be ingested as it is (corrupt, binary, empty, too large, unsupported).
 * It fails alone: the run records the reason and goes on with the other documents.
 */
public class DocumentRejectedException extends Exception {
  public DocumentRejectedException(String reason) {
    super(reason);
  }

  public DocumentRejectedException(String reason, Throwable cause) {
    super(reason, cause);
  }
}
