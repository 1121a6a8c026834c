package io.engram.core.rollout;

import io.engram.core.registry.RegisteredVersion;
import java.time.Instant;

/**
 * One rollout as {@code rollouts} holds it.
 *
 * @param id the row's id, which routing, observations and the query log name it by
 * @param workflowId the workflow that runs it ({@code rollout-<collection>-v<N>})
 * @param champion the version serving when it started
 * @param candidate the version rolled out
 * @param plan how it moves and judges
 * @param routing where it is: phase, step, shares
 * @param outcome how it ended; status {@code running} until then
 * @param lastCheck the figures of the latest check as JSON; null before the first
 */
public record Rollout(
    long id,
    String workflowId,
    String collection,
    Version champion,
    Version candidate,
    Start start,
    RolloutPlan plan,
    Routing routing,
    Outcome outcome,
    String lastCheck) {

  public static final String RUNNING = "running";
  public static final String PROMOTED = "promoted";
  public static final String ROLLED_BACK = "rolled_back";
  public static final String KEPT = "kept";
  public static final String UNDONE = "undone";

  /**
   * Its candidate was made champion by hand while it ran: it ended without a decision of its own.
   */
  public static final String SUPERSEDED = "superseded";

  /** A version it names: the registry row and its number. */
  public record Version(long id, int number) {}

  /**
   * @param runId the workflow run
   * @param trigger {@code manual} or {@code staged}
   * @param actor who started it
   * @param reason why, when given
   */
  public record Start(String runId, String trigger, String actor, String reason, Instant at) {}

  /**
   * @param phase {@code shadow}, {@code canary}, {@code awaiting_approval} or {@code decided}
   * @param step the canary step from 1; 0 outside the canary
   * @param shadowShare share of the champion's queries mirrored to the candidate
   * @param candidateShare share of new conversations the candidate serves
   * @param interleaveShare share of new conversations given both rankings interleaved
   * @param paused whether it neither advances nor decides
   * @param phaseStartedAt when the current phase (or step) began
   */
  public record Routing(
      String phase,
      int step,
      double shadowShare,
      double candidateShare,
      double interleaveShare,
      boolean paused,
      Instant phaseStartedAt) {}

  /**
   * @param status {@code running}, {@code promoted}, {@code rolled_back}, {@code kept}, {@code
   *     undone} or {@code superseded}
   * @param reason why it was decided so; null while running
   * @param endedAt when it was decided
   * @param retainUntil until when the version that lost the champion alias keeps its index
   */
  public record Outcome(String status, String reason, Instant endedAt, Instant retainUntil) {}

  public boolean running() {
    return RUNNING.equals(outcome.status());
  }

  public String championLabel() {
    return RegisteredVersion.label(collection, champion.number());
  }

  public String candidateLabel() {
    return RegisteredVersion.label(collection, candidate.number());
  }
}
