package io.engram.core.rollout;

/** Who served a query during a rollout, as the query log and the observations record it. */
public final class Arm {
  public static final String CHAMPION = "champion";
  public static final String CANDIDATE = "candidate";

  /** Both versions' rankings merged by team draft; clicks are credited to the arm that ranked. */
  public static final String INTERLEAVED = "interleaved";

  /** A mirrored comparison off the request path; never seen by the user. */
  public static final String SHADOW = "shadow";

  /** The candidate failed and the champion answered instead. */
  public static final String FALLBACK = "fallback";

  private Arm() {}
}
