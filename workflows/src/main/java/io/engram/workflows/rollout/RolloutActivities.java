package io.engram.workflows.rollout;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * The steps of a rollout, each one transaction in core's rollout service. Each is safe to retry: a
 * begin is found again by its workflow run; every audit row carries the key of the activity that
 * wrote it (workflow run and activity id), so a retried step records it once; a decision ends a
 * rollout only while it runs, and a second one returns the first.
 */
@ActivityInterface
public interface RolloutActivities {

  /**
   * Stores the rollout running in shadow and audits its start. Fails for good ({@code
   * RolloutRefused}) when the candidate cannot be rolled out now: no such version, not registered,
   * already the champion, no champion, another rollout of the collection running, or overrides that
   * make no valid plan.
   */
  @ActivityMethod(name = "RolloutBegin")
  RolloutStarted begin(RolloutRequest request);

  /** Moves the rollout to {@code phase} ({@code step} from 1 in the canary) with its shares. */
  @ActivityMethod(name = "RolloutEnter")
  void enter(long rolloutId, String phase, int step);

  /**
   * Checks the figures of the current phase against the plan, stores them as the rollout's latest
   * check, and audits a failed one.
   */
  @ActivityMethod(name = "RolloutCheck")
  RolloutVerdict check(long rolloutId);

  /**
   * Checks only whether the rollout can still judge what it started with, not its figures: what a
   * paused rollout checks. Returns why it cannot (the champion alias moved by hand, the candidate
   * archived or otherwise no longer registered), audited as a failed check, or null when nothing
   * moved under it. Reads only; a retry answers the same.
   */
  @ActivityMethod(name = "RolloutCheckIntegrity")
  String checkIntegrity(long rolloutId);

  /** Audits an operator's signal; a pause or resume also changes the stored routing state. */
  @ActivityMethod(name = "RolloutSignal")
  void signal(long rolloutId, String signal, RolloutSignal sent);

  /**
   * Promotes: {@code champion} moves to the candidate, the old champion becomes {@code previous},
   * and the rollout ends, in one transaction. Fails for good ({@code RolloutMoveRefused}) when the
   * state refuses it: the candidate is no longer registered, the champion is no longer the one the
   * rollout started from, or the rollout has ended.
   */
  @ActivityMethod(name = "RolloutPromote")
  void promote(long rolloutId, String actor, String reason);

  /**
   * Rolls back: the champion alias never moved; the candidate is archived with the reason (unless
   * it has served as champion before: then it stays registered, the collection's way back) and the
   * rollout ends, in one transaction.
   */
  @ActivityMethod(name = "RolloutRollBack")
  void rollBack(long rolloutId, String actor, String reason);

  /** Keeps the champion: the rollout ends undecided; the candidate stays registered. */
  @ActivityMethod(name = "RolloutKeep")
  void keep(long rolloutId, String actor, String reason);
}
