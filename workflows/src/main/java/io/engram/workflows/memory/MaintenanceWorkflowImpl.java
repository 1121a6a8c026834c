package io.engram.workflows.memory;

import io.engram.workflows.common.ActivityStubs;
import io.engram.workflows.common.EngramSearchAttributes;
import io.engram.workflows.common.RetryPolicies;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.List;

/**
 * Runs one maintenance job. Every step takes its time from the workflow clock, so the same code is
 * exact under time skipping in tests and in production.
 */
public class MaintenanceWorkflowImpl implements MaintenanceWorkflow {

  private final MaintenanceActivities maintenance =
      ActivityStubs.heartbeating(
          MaintenanceActivities.class,
          Duration.ofMinutes(30),
          Duration.ofMinutes(1),
          RetryPolicies.standard());

  private final SessionDistillation distillation = new SessionDistillation();

  private String job = "";
  private String phase = "starting";
  private long citationsFlushed;
  private long factsDecayed;
  private long factsExpired;
  private long sessionsClosed;
  private long turnsReleased;
  private int batchesDistilled;
  private int distillationFailures;

  @Override
  public MaintenanceResult run(MaintenanceRequest request) {
    job = request.job().jobType();
    long now = Workflow.currentTimeMillis();
    Workflow.upsertTypedSearchAttributes(
        EngramSearchAttributes.JOB_TYPE.valueSet(job),
        EngramSearchAttributes.BATCH.valueSet(MemoryJobs.batchLabel(now)));
    switch (request.job()) {
      case SALIENCE -> {
        phase = "flushing citations";
        citationsFlushed = maintenance.flushCitations(now).citations();
        phase = "decaying";
        factsDecayed = maintenance.decaySalience(now);
      }
      case TTL_CLEANUP -> {
        phase = "deleting expired facts";
        TtlCleanup cleanup = maintenance.deleteExpired(now);
        factsExpired = cleanup.factsExpired();
        turnsReleased = cleanup.turnsReleased();
      }
      case SESSION_CLEANUP -> closeIdleSessions(request, now);
    }
    phase = "done";
    return progress();
  }

  /**
   * Distillation first takes what it needs from each idle session; then the session is closed. A
   * session whose extraction keeps failing for another reason than its output stays open, its turns
   * pending, for the next cleanup.
   */
  private void closeIdleSessions(MaintenanceRequest request, long now) {
    phase = "finding idle sessions";
    List<String> idle = maintenance.idleSessions(now, request.sessionIdle(), request.maxSessions());
    for (String sessionId : idle) {
      phase = "distilling " + sessionId;
      boolean pending = false;
      for (SessionDistillation.Batch batch = distillation.next(sessionId);
          batch != null && !batch.sessionGone();
          batch = distillation.next(sessionId)) {
        if (batch.pending()) {
          pending = true;
          Workflow.getLogger(MaintenanceWorkflowImpl.class)
              .warn("session {} left open, its turns not distilled: {}", sessionId, batch.error());
          break;
        }
        batchesDistilled++;
        if (batch.result() == null) {
          distillationFailures++;
        }
      }
      if (pending) {
        continue;
      }
      phase = "closing " + sessionId;
      SessionClosed closed = maintenance.closeSession(sessionId, Workflow.currentTimeMillis());
      if (closed.closed()) {
        sessionsClosed++;
      }
      turnsReleased += closed.turnsReleased();
      Workflow.setCurrentDetails(sessionsClosed + " of " + idle.size() + " idle sessions closed");
    }
  }

  @Override
  public MaintenanceResult progress() {
    return new MaintenanceResult(
        job,
        phase,
        citationsFlushed,
        factsDecayed,
        factsExpired,
        sessionsClosed,
        turnsReleased,
        batchesDistilled,
        distillationFailures);
  }
}
