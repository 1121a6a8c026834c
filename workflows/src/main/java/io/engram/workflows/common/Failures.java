package io.engram.workflows.common;

import io.temporal.failure.ApplicationFailure;

/** What a failure that reached workflow code comes down to: the innermost cause and its reason. */
public final class Failures {
  private Failures() {}

  /** The innermost cause of {@code failure} (an activity's or a child's own failure). */
  public static Throwable root(Throwable failure) {
    Throwable t = failure;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** The innermost failure's own message, which names the bad input or the broken dependency. */
  public static String reason(Throwable failure) {
    Throwable t = root(failure);
    String message =
        t instanceof ApplicationFailure application
            ? application.getOriginalMessage()
            : t.getMessage();
    return message == null ? t.getClass().getSimpleName() : message;
  }
}
