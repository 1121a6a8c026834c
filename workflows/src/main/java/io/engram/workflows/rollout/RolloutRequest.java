package io.engram.workflows.rollout;

/**
 * What a rollout is asked to do: roll {@code candidate} of {@code collection} out against the
 * collection's champion.
 *
 * @param candidate the registered version's number
 * @param trigger {@link #MANUAL} (API, CLI) or {@link #STAGED} (a retraining staged it)
 * @param actor who started it, for the audit
 * @param reason why, when given
 * @param overrides the starter's changes to the profile's plan; null keeps it
 * @param carried where a rollout that continued as new stood; null when it starts
 */
public record RolloutRequest(
    String collection,
    int candidate,
    String trigger,
    String actor,
    String reason,
    PlanOverrides overrides,
    Carried carried) {

  public static final String MANUAL = "manual";
  public static final String STAGED = "staged";

  /** A rollout to start. */
  public RolloutRequest(
      String collection,
      int candidate,
      String trigger,
      String actor,
      String reason,
      PlanOverrides overrides) {
    this(collection, candidate, trigger, actor, reason, overrides, null);
  }

  /**
   * Where a long rollout stood when it continued as new (its history grows with every check): the
   * next run goes on from here without beginning again.
   *
   * @param phaseStartMs when the current phase began, workflow time
   * @param begunMs when the rollout began, workflow time
   * @param pausedAtMs when it was paused; 0 when it is not
   * @param signals signals received but not yet handled, oldest first
   */
  public record Carried(
      RolloutStarted started,
      String phase,
      int step,
      long phaseStartMs,
      long begunMs,
      long pausedAtMs,
      RolloutVerdict last,
      java.util.List<Signalled> signals) {}

  /** A signal not yet handled: its name ({@code approve}, {@code abort}, ...) and content. */
  public record Signalled(String name, RolloutSignal signal) {}

  /** This request, to go on from {@code carried}. */
  public RolloutRequest continuing(Carried carried) {
    return new RolloutRequest(collection, candidate, trigger, actor, reason, overrides, carried);
  }
}
