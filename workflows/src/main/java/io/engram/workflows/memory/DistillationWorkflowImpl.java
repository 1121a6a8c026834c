package io.engram.workflows.memory;

import io.engram.workflows.common.EngramSearchAttributes;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Waits for turns, distils them in batches, and completes after the session has been quiet for the
 * idle timeout, or early when extraction keeps failing for another reason than its output (the
 * turns stay pending). A long conversation continues as new after {@link #MAX_BATCHES_PER_RUN}
 * batches so the history stays small; the counters travel along.
 */
public class DistillationWorkflowImpl implements DistillationWorkflow {
  static final int MAX_BATCHES_PER_RUN = 100;

  /** Before this version a run ended when turns were signalled with its idle timeout. */
  static final String TURNS_AT_IDLE_TIMEOUT = "distillation-turns-at-idle-timeout";

  private final SessionDistillation distillation = new SessionDistillation();

  private String sessionId;
  private long requestedUpTo;
  private long distilledUpTo;
  private int batches;
  private int failedBatches;
  private int stored;
  private int merged;
  private int superseded;
  private final List<Long> factIds = new ArrayList<>();
  private String lastError;

  @Override
  public DistillationSummary distill(DistillationRequest request) {
    sessionId = request.sessionId();
    // A signal-with-start delivers its signal before this method runs: keep what it recorded.
    requestedUpTo = Math.max(requestedUpTo, request.requestedUpTo());
    DistillationSummary carried = request.carried();
    if (carried != null) {
      distilledUpTo = carried.distilledUpTo();
      batches = carried.batches();
      failedBatches = carried.failedBatches();
      stored = carried.stored();
      merged = carried.merged();
      superseded = carried.superseded();
      factIds.addAll(carried.factIds());
      lastError = carried.lastError();
    }
    Workflow.upsertTypedSearchAttributes(
        EngramSearchAttributes.JOB_TYPE.valueSet(MemoryJobs.DISTILLATION),
        EngramSearchAttributes.SESSION.valueSet(sessionId));

    int batchesThisRun = 0;
    while (awaitTurns(request.idleTimeoutOrDefault())) {
      SessionDistillation.Batch batch = distillation.next(sessionId);
      if (batch == null) {
        // Nothing after the watermark: the turns signalled were distilled by someone else.
        distilledUpTo = Math.max(distilledUpTo, requestedUpTo);
        continue;
      }
      if (batch.sessionGone()) {
        lastError = batch.error();
        break;
      }
      if (batch.pending()) {
        // Extraction failed through its retries, not for its output. Nothing was recorded: the next
        // signal, or the session cleanup (which distils before it closes), tries the turns again.
        lastError = batch.error();
        break;
      }
      distilledUpTo = Math.max(distilledUpTo, batch.toTurnId());
      batches++;
      batchesThisRun++;
      if (batch.result() == null) {
        failedBatches++;
        lastError = batch.error();
      } else {
        DistillationBatchResult r = batch.result();
        stored += r.storedIds().size();
        merged += r.mergedIds().size();
        superseded += r.supersededIds().size();
        factIds.addAll(r.storedIds());
        while (factIds.size() > DistillationSummary.MAX_IDS) {
          factIds.remove(0);
        }
      }
      Workflow.setCurrentDetails(
          "distilled up to turn " + distilledUpTo + ": " + stored + " facts stored");
      if (batchesThisRun >= MAX_BATCHES_PER_RUN) {
        Workflow.continueAsNew(
            new DistillationRequest(sessionId, requestedUpTo, request.idleTimeout(), summary()));
      }
    }
    return summary();
  }

  /** Waits for turns to distil: false when none came within {@code idle}. */
  private boolean awaitTurns(Duration idle) {
    if (Workflow.await(idle, () -> requestedUpTo > distilledUpTo)) {
      return true;
    }
    // The idle timer and a turnsAdded signal can arrive in the same workflow task: the timer wins
    // the await, but the signal's turns are there to distil and the run must not end without them.
    return requestedUpTo > distilledUpTo
        && Workflow.getVersion(TURNS_AT_IDLE_TIMEOUT, Workflow.DEFAULT_VERSION, 1)
            != Workflow.DEFAULT_VERSION;
  }

  @Override
  public void turnsAdded(long lastTurnId) {
    requestedUpTo = Math.max(requestedUpTo, lastTurnId);
  }

  @Override
  public DistillationSummary summary() {
    return new DistillationSummary(
        sessionId,
        distilledUpTo,
        batches,
        failedBatches,
        stored,
        merged,
        superseded,
        List.copyOf(factIds),
        lastError);
  }
}
