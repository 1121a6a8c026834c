package io.engram.core.memory;

import java.util.Objects;
import java.util.UUID;

/**
 * Whose memory a fact belongs to: the session's user when it has one (so facts, their dedup and
 * their contradictions span the user's sessions), else the session alone.
 *
 * @param sessionId the session the turns come from
 * @param userId the session's user, or null for an anonymous session
 * @param collection the session's collection, kept with facts promoted to semantic memory
 */
public record MemoryScope(UUID sessionId, String userId, String collection) {
  public MemoryScope {
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(collection, "collection");
  }

  /**
   * The owner predicate on a table with {@code session_id} and {@code user_id}, with the parameter
   * {@code :owner}.
   */
  String ownerSql() {
    return userId == null ? "session_id = :owner" : "user_id = :owner";
  }

  /** The parameter of {@link #ownerSql}. */
  Object ownerParam() {
    return userId == null ? sessionId : userId;
  }

  /** A key that serialises writes to one owner's memory (a transaction-scoped advisory lock). */
  String lockKey() {
    return userId == null ? "memory:session:" + sessionId : "memory:user:" + userId;
  }
}
