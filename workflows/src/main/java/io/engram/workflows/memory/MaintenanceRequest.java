package io.engram.workflows.memory;

import java.time.Duration;
import java.util.Objects;

/**
 * Input of a maintenance run.
 *
 * @param job which job to run
 * @param sessionIdle for {@link MaintenanceJob#SESSION_CLEANUP}: sessions idle longer are closed
 * @param maxSessions for {@link MaintenanceJob#SESSION_CLEANUP}: idle sessions read per page (a run
 *     reads pages until none is left)
 * @param earlier what the runs before this one did, when a run continued as new; null for a run of
 *     its own (a request recorded before this field existed reads as null too)
 * @param after for {@link MaintenanceJob#SESSION_CLEANUP} continued as new: the idle session the
 *     run before read last, so this one reads the sessions after it; null to read from the first
 *     (and in a request recorded before this field existed)
 */
public record MaintenanceRequest(
    MaintenanceJob job,
    Duration sessionIdle,
    int maxSessions,
    MaintenanceResult earlier,
    IdleSessionCursor after) {

  public static final Duration DEFAULT_SESSION_IDLE = Duration.ofMinutes(30);
  public static final int DEFAULT_MAX_SESSIONS = 200;

  public MaintenanceRequest {
    Objects.requireNonNull(job, "job");
    sessionIdle = sessionIdle == null ? DEFAULT_SESSION_IDLE : sessionIdle;
    if (sessionIdle.isNegative() || sessionIdle.isZero()) {
      throw new IllegalArgumentException("sessionIdle must be positive");
    }
    maxSessions = maxSessions <= 0 ? DEFAULT_MAX_SESSIONS : maxSessions;
  }

  public MaintenanceRequest(MaintenanceJob job, Duration sessionIdle, int maxSessions) {
    this(job, sessionIdle, maxSessions, null, null);
  }

  public static MaintenanceRequest of(MaintenanceJob job) {
    return new MaintenanceRequest(job, null, 0);
  }

  /** The same job, continued by a new run that carries what this one did. */
  MaintenanceRequest continuing(MaintenanceResult done) {
    return new MaintenanceRequest(job, sessionIdle, maxSessions, done, null);
  }

  /**
   * The same session cleanup, continued by a new run that carries what this one did and reads the
   * idle sessions after {@code last}.
   */
  MaintenanceRequest continuing(MaintenanceResult done, IdleSessionCursor last) {
    return new MaintenanceRequest(job, sessionIdle, maxSessions, done, last);
  }
}
