package io.engram.core.query;

/**
 * A question whose parts contradict each other, such as a session and a collection other than the
 * one the session was opened on. The API answers it with 400 naming the field; the message says
 * what to do.
 */
public final class ContradictoryQuestionException extends RuntimeException {
  private final String field;

  public ContradictoryQuestionException(String field, String message) {
    super(message);
    this.field = field;
  }

  /** The request field that contradicts the rest, as a JSON pointer ({@code /collection}). */
  public String field() {
    return field;
  }
}
