package io.engram.core.query;

/**
 * A question names something that does not exist: a session, a collection or a model version. The
 * API answers it with 404; the message says what to do.
 */
public final class UnknownResourceException extends RuntimeException {
  private final String resource;

  public UnknownResourceException(String resource, String message) {
    super(message);
    this.resource = resource;
  }

  /** What was not found: {@code session}, {@code collection} or {@code model-version}. */
  public String resource() {
    return resource;
  }
}
