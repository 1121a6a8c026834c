package io.engram.core.rollout;

/** The phases of a rollout, as {@code rollouts.phase} stores them. */
public final class Phase {
  /** Live queries are mirrored to the candidate off the request path; users see the champion. */
  public static final String SHADOW = "shadow";

  /** A share of new conversations is served by the candidate, another share interleaved. */
  public static final String CANARY = "canary";

  /** The candidate won; the routing of the last step holds until an approve or abort signal. */
  public static final String AWAITING_APPROVAL = "awaiting_approval";

  /** Promoted, rolled back or kept: everything is served by the champion alias again. */
  public static final String DECIDED = "decided";

  private Phase() {}
}
