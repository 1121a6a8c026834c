package io.engram.activities.memory;

import io.engram.core.memory.Distiller;
import io.engram.core.memory.MalformedExtractionException;
import io.engram.workflows.common.FailureTypes;
import io.engram.workflows.memory.DistillationActivities;
import io.engram.workflows.memory.DistillationBatchResult;
import io.temporal.activity.Activity;
import io.temporal.failure.ApplicationFailure;
import java.time.Instant;
import java.util.List;

/**
 * Thin adapter from {@link DistillationActivities} to {@link Distiller}: parses ids, maps a
 * malformed extraction to a failure of its own type (non-retryable from attempt {@link
 * #MALFORMED_ATTEMPTS}) and a missing session to a non-retryable one. Database errors propagate and
 * are retried.
 */
public class DistillationActivitiesImpl implements DistillationActivities {
  private final Distiller distiller;
  private final MemoryMetrics metrics;

  public DistillationActivitiesImpl(Distiller distiller, MemoryMetrics metrics) {
    this.distiller = distiller;
    this.metrics = metrics;
  }

  @Override
  public List<Long> pendingTurns(String sessionId, int limit) {
    return distiller.pendingTurns(SessionIds.parse(sessionId), limit);
  }

  @Override
  public DistillationBatchResult distill(String sessionId, List<Long> turnIds, long nowMillis) {
    try {
      Distiller.Outcome o =
          distiller.distill(SessionIds.parse(sessionId), turnIds, Instant.ofEpochMilli(nowMillis));
      if (!o.replayed()) {
        metrics.facts("stored", o.storedIds().size());
        metrics.facts("merged", o.mergedIds().size());
        metrics.facts("superseded", o.supersededIds().size());
      }
      return new DistillationBatchResult(
          o.toTurnId(),
          o.storedIds(),
          o.mergedIds(),
          o.supersededIds(),
          o.extractor(),
          o.replayed());
    } catch (MalformedExtractionException e) {
      // Retryable by design, a few times: the last is final and the workflow records the batch as
      // failed. Other errors propagate and are retried by the (much longer) retry policy.
      throw Activity.getExecutionContext().getInfo().getAttempt() < MALFORMED_ATTEMPTS
          ? ApplicationFailure.newFailure(e.getMessage(), FailureTypes.MALFORMED_EXTRACTION)
          : ApplicationFailure.newNonRetryableFailure(
              e.getMessage(), FailureTypes.MALFORMED_EXTRACTION);
    } catch (Distiller.UnknownSessionException e) {
      throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), FailureTypes.UNKNOWN_SESSION);
    }
  }

  @Override
  public void recordFailedBatch(
      String sessionId, List<Long> turnIds, String reason, long nowMillis) {
    distiller.recordFailure(
        SessionIds.parse(sessionId), turnIds, reason, Instant.ofEpochMilli(nowMillis));
    metrics.failedBatch();
  }
}
