package io.engram.core.rollout;

/**
 * A rollout request the current state refuses: another rollout of the collection runs, the
 * candidate already serves or cannot serve (rejected, archived), a signal to a rollout that has
 * ended, an undo of a rollout that did not promote. The API answers 409; the message says why.
 */
public final class RolloutConflictException extends RuntimeException {
  public RolloutConflictException(String message) {
    super(message);
  }
}
