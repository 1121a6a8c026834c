package io.engram.workflows.rollout;

/**
 * Where a running rollout stands, for the status query.
 *
 * @param rolloutId its row; null before it began
 * @param champion the version serving when it began; 0 before it began
 * @param phase {@link #STARTING}, {@link #SHADOW}, {@link #CANARY}, {@link #AWAITING_APPROVAL},
 *     then its decision (see {@link RolloutResult})
 * @param step the canary step from 1; 0 outside the canary
 * @param paused whether it neither advances nor decides
 * @param last the latest check; null before the first
 * @param decision how it ended; null while it runs
 */
public record RolloutStatus(
    Long rolloutId,
    String collection,
    int champion,
    int candidate,
    String phase,
    int step,
    boolean paused,
    RolloutVerdict last,
    RolloutResult decision) {

  public static final String STARTING = "starting";
  public static final String SHADOW = "shadow";
  public static final String CANARY = "canary";
  public static final String AWAITING_APPROVAL = "awaiting_approval";
}
