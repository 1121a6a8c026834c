package io.engram.core.rollout;

import io.engram.core.db.BatchedChange;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * Which arm each conversation of a rollout is in ({@code rollout_assignments}): given the first
 * time the conversation asks during the canary and kept for the rollout's life, so a conversation
 * never flips between versions while the shares grow. The one class that writes it.
 */
public final class RolloutAssignments {
  private final Jdbi jdbi;

  public RolloutAssignments(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /**
   * The session's arm: the one stored, or {@code proposed} stored now. Every replica proposes the
   * same arm for a session at the same shares, and the first one stored wins a race.
   */
  public String assign(long rolloutId, UUID sessionId, String proposed) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "INSERT INTO rollout_assignments (rollout_id, session_id, arm)"
                        + " VALUES (:rollout, :session, :arm)"
                        + " ON CONFLICT (rollout_id, session_id)"
                        + " DO UPDATE SET arm = rollout_assignments.arm RETURNING arm")
                .bind("rollout", rolloutId)
                .bind("session", sessionId)
                .bind("arm", proposed)
                .mapTo(String.class)
                .one());
  }

  /**
   * Deletes a collection's rows of {@code rollout_assignments} ({@link
   * io.engram.core.collection.CollectionDeletion}).
   */
  public static final BatchedChange<String> DELETE_OF_COLLECTION =
      BatchedChange.deleteOfCollection(
          "rollout_assignments",
          "rollout_id, session_id",
          "SELECT a.rollout_id, a.session_id FROM rollouts r JOIN"
              + " rollout_assignments a ON a.rollout_id = r.id WHERE r.collection ="
              + " :key");

  /**
   * Deletes a tenant's user's rows of {@code rollout_assignments} ({@link
   * io.engram.core.memory.UserForgetting}): the arms the user's conversations were given, in the
   * tenant's rollouts.
   */
  public static final BatchedChange<BatchedChange.User> DELETE_OF_USER =
      BatchedChange.deleteOfUser(
          "rollout_assignments",
          "rollout_id, session_id",
          "SELECT a.rollout_id, a.session_id FROM rollouts r JOIN rollout_assignments a ON"
              + " a.rollout_id = r.id WHERE r.tenant = :tenant AND a.session_id IN ("
              + io.engram.core.memory.Sessions.OF_USER
              + ")");
}
