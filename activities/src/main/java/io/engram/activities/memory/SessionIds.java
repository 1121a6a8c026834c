package io.engram.activities.memory;

import io.engram.workflows.common.FailureTypes;
import io.temporal.failure.ApplicationFailure;
import java.util.UUID;

/** Session ids as workflows pass them, as strings: a malformed one names no session there is. */
final class SessionIds {
  private SessionIds() {}

  /**
   * @throws ApplicationFailure non-retryable, of type {@link FailureTypes#UNKNOWN_SESSION}, when
   *     {@code sessionId} is not a UUID
   */
  static UUID parse(String sessionId) {
    try {
      return UUID.fromString(sessionId);
    } catch (IllegalArgumentException e) {
      throw ApplicationFailure.newNonRetryableFailure(
          "malformed session id " + sessionId, FailureTypes.UNKNOWN_SESSION);
    }
  }
}
