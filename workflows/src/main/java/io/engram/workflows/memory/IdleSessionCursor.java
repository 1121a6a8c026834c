package io.engram.workflows.memory;

import java.util.Objects;

/**
 * Where the next page of idle sessions starts: the key of the last session read in the order idle
 * sessions are read, its last activity and then its id.
 *
 * @param lastActiveMicros the session's last activity in microseconds since the epoch, PostgreSQL's
 *     resolution, so the key is exact
 * @param sessionId the session, which breaks ties of last activity
 */
public record IdleSessionCursor(long lastActiveMicros, String sessionId) {
  public IdleSessionCursor {
    Objects.requireNonNull(sessionId, "sessionId");
  }
}
