package io.engram.core.memory;

import io.engram.core.tenant.Tenant;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Whose memory a fact belongs to: the session's user when it has one (so facts, their dedup and
 * their contradictions span the user's sessions), else the session alone. A user is a user of one
 * tenant: the same user id in two tenants is two people, so every owner predicate names the tenant.
 *
 * @param sessionId the session the turns come from
 * @param userId the session's user, or null for an anonymous session
 * @param collection the session's collection key, kept with facts promoted to semantic memory; it
 *     says the tenant
 */
public record MemoryScope(UUID sessionId, String userId, String collection) {
  public MemoryScope {
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(collection, "collection");
  }

  /** The tenant whose memory this is. */
  public Tenant tenant() {
    return Tenant.ofCollection(collection);
  }

  /**
   * The owner predicate on a table with {@code tenant}, {@code session_id} and {@code user_id},
   * with the parameters {@link #ownerParams}.
   */
  String ownerSql() {
    return userId == null
        ? "tenant = :ownerTenant AND session_id = :owner"
        : "tenant = :ownerTenant AND user_id = :owner";
  }

  /** The parameters of {@link #ownerSql}, for {@code bindMap}. */
  Map<String, Object> ownerParams() {
    return Map.of("ownerTenant", tenant().id(), "owner", userId == null ? sessionId : userId);
  }

  /** A key that serialises writes to one owner's memory (a transaction-scoped advisory lock). */
  String lockKey() {
    return userId == null
        ? "memory:session:" + sessionId
        : "memory:user:" + tenant().id() + ":" + userId;
  }
}
