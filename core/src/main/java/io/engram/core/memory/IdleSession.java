package io.engram.core.memory;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * An idle session and its key in the order idle sessions are read, {@code (last_active_at, id)}:
 * the last one of a page is where the next page starts.
 *
 * @param id the session
 * @param lastActiveAt its last activity, exact to the microsecond as PostgreSQL stores it
 */
public record IdleSession(UUID id, Instant lastActiveAt) {
  public IdleSession {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(lastActiveAt, "lastActiveAt");
  }
}
