package io.engram.workflows.memory;

import io.engram.workflows.common.ActivityStubs;
import io.engram.workflows.common.EngramSearchAttributes;
import io.engram.workflows.common.RetryPolicies;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

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

  /**
   * Change id: session cleanup reads idle sessions page after page, not one page per run (1); at
   * most {@link #PAGES_PER_RUN} pages a run, or fewer when the server suggests continuing as new,
   * and the continued run carries the counts (2); each page starts after the last session of the
   * page before ({@link MaintenanceActivities#idleSessionsAfter}) and a continued run after the
   * last one of the run before, so sessions left open do not end the cleanup of those behind them
   * (3). Version 1 ran ten pages a run, which came within a few thousand events of the history
   * limit; up to version 2 every page started again at the longest idle session, so a full page of
   * sessions left open stopped the run.
   */
  static final String PAGED_CLEANUP = "session-cleanup-pages";

  /** The version of {@link #PAGED_CLEANUP} that reads idle sessions by keyset. */
  static final int KEYSET_CLEANUP = 3;

  /** Pages of idle sessions one run closes before it continues as new (about 5,000 events each). */
  static final int PAGES_PER_RUN = 4;

  private static final int PAGES_PER_RUN_V1 = 10;

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
    if (request.earlier() != null) {
      MaintenanceResult earlier = request.earlier();
      citationsFlushed = earlier.citationsFlushed();
      factsDecayed = earlier.factsDecayed();
      factsExpired = earlier.factsExpired();
      sessionsClosed = earlier.sessionsClosed();
      turnsReleased = earlier.turnsReleased();
      batchesDistilled = earlier.batchesDistilled();
      distillationFailures = earlier.distillationFailures();
    }
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
   *
   * <p>Idle sessions are read a page ({@link MaintenanceRequest#maxSessions()}) at a time until a
   * page is short (before version {@link #KEYSET_CLEANUP}: or holds only sessions this run left
   * open), so a busy installation does not pile up idle sessions faster than one page per run
   * closes them. After {@link #PAGES_PER_RUN} pages, or sooner when the server suggests it, the run
   * continues as new with its counts, which keeps each history far from Temporal's limit.
   */
  private void closeIdleSessions(MaintenanceRequest request, long now) {
    int version = Workflow.getVersion(PAGED_CLEANUP, Workflow.DEFAULT_VERSION, KEYSET_CLEANUP);
    if (version >= KEYSET_CLEANUP) {
      closeIdleSessionsByKeyset(request, now);
      return;
    }
    boolean paged = version >= 1;
    int pagesPerRun = version >= 2 ? PAGES_PER_RUN : PAGES_PER_RUN_V1;
    Set<String> leftOpen = new HashSet<>();
    for (int page = 1; ; page++) {
      phase = "finding idle sessions";
      List<String> idle =
          maintenance.idleSessions(now, request.sessionIdle(), request.maxSessions());
      boolean tried = false;
      for (String sessionId : idle) {
        if (leftOpen.contains(sessionId)) {
          continue;
        }
        tried = true;
        if (!distilAndClose(sessionId)) {
          leftOpen.add(sessionId);
        }
        Workflow.setCurrentDetails(sessionsClosed + " idle sessions closed");
      }
      if (!paged || idle.size() < request.maxSessions() || !tried) {
        return;
      }
      boolean suggested = version >= 2 && Workflow.getInfo().isContinueAsNewSuggested();
      if (page == pagesPerRun || suggested) {
        Workflow.continueAsNew(version >= 2 ? request.continuing(progress()) : request);
      }
    }
  }

  /**
   * Session cleanup from version {@link #KEYSET_CLEANUP}: each page holds the idle sessions after
   * the last one of the page before, in the order of their last activity and id, so every page is
   * new sessions and the run ends at the first short page, however many sessions it left open. A
   * run continued as new starts after the last session the run before read. The next scheduled run
   * starts from the first idle session again, so a session left open is tried again once a run.
   */
  private void closeIdleSessionsByKeyset(MaintenanceRequest request, long now) {
    IdleSessionCursor after = request.after();
    for (int page = 1; ; page++) {
      phase = "finding idle sessions";
      IdleSessionPage idle =
          maintenance.idleSessionsAfter(now, request.sessionIdle(), request.maxSessions(), after);
      for (String sessionId : idle.sessionIds()) {
        distilAndClose(sessionId);
        Workflow.setCurrentDetails(sessionsClosed + " idle sessions closed");
      }
      if (idle.sessionIds().size() < request.maxSessions()) {
        return;
      }
      after = idle.last();
      if (page == PAGES_PER_RUN || Workflow.getInfo().isContinueAsNewSuggested()) {
        Workflow.continueAsNew(request.continuing(progress(), after));
      }
    }
  }

  /** Distils what is left of one idle session and closes it; false when it must stay open. */
  private boolean distilAndClose(String sessionId) {
    phase = "distilling " + sessionId;
    for (SessionDistillation.Batch batch = distillation.next(sessionId);
        batch != null && !batch.sessionGone();
        batch = distillation.next(sessionId)) {
      if (batch.pending()) {
        Workflow.getLogger(MaintenanceWorkflowImpl.class)
            .warn("session {} left open, its turns not distilled: {}", sessionId, batch.error());
        return false;
      }
      batchesDistilled++;
      if (batch.result() == null) {
        distillationFailures++;
      }
    }
    phase = "closing " + sessionId;
    SessionClosed closed = maintenance.closeSession(sessionId, Workflow.currentTimeMillis());
    if (closed.closed()) {
      sessionsClosed++;
    }
    turnsReleased += closed.turnsReleased();
    return true;
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
