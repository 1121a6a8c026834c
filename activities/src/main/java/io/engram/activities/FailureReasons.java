package io.engram.activities;

/**
 * The reasons activities hand back (to workflow history or a run's row), kept to a bounded size.
 */
public final class FailureReasons {
  private FailureReasons() {}

  /**
   * {@code reason} cut to {@code max} characters and an ellipsis, so one odd failure cannot bloat a
   * row or the history; null stays null.
   */
  public static String truncate(String reason, int max) {
    return reason == null || reason.length() <= max ? reason : reason.substring(0, max) + "…";
  }
}
