package io.engram.workflows.memory;

import java.time.Duration;
import java.util.Objects;

/**
 * Input of a distillation run. Carries ids and counters only, never conversation text.
 *
 * @param sessionId the session whose turns are distilled
 * @param requestedUpTo turns up to this id are known to exist (carried over continue-as-new)
 * @param idleTimeout how long a run waits for more turns before it completes; null for the default
 * @param carried counters of earlier runs of the same chain (continue-as-new), or null
 */
public record DistillationRequest(
    String sessionId, long requestedUpTo, Duration idleTimeout, DistillationSummary carried) {

  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(10);

  public DistillationRequest {
    Objects.requireNonNull(sessionId, "sessionId");
    if (sessionId.isBlank()) {
      throw new IllegalArgumentException("sessionId is required");
    }
    if (idleTimeout != null && (idleTimeout.isNegative() || idleTimeout.isZero())) {
      throw new IllegalArgumentException("idle timeout must be positive");
    }
  }

  public static DistillationRequest of(String sessionId) {
    return new DistillationRequest(sessionId, 0, null, null);
  }

  public Duration idleTimeoutOrDefault() {
    return idleTimeout == null ? DEFAULT_IDLE_TIMEOUT : idleTimeout;
  }
}
