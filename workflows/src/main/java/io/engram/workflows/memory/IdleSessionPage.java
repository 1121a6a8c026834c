package io.engram.workflows.memory;

import java.util.List;

/**
 * A page of idle sessions.
 *
 * @param sessionIds the sessions, in the order idle sessions are read
 * @param last the key of the last of them, where the next page starts; the cursor the page was read
 *     after when it is empty (null when that was the first page)
 */
public record IdleSessionPage(List<String> sessionIds, IdleSessionCursor last) {
  public IdleSessionPage {
    sessionIds = sessionIds == null ? List.of() : List.copyOf(sessionIds);
  }
}
