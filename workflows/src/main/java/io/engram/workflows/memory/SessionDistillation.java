package io.engram.workflows.memory;

import io.engram.workflows.common.ActivityStubs;
import io.engram.workflows.common.FailureTypes;
import io.engram.workflows.common.RetryPolicies;
import io.engram.workflows.common.TaskQueues;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.Collections;
import java.util.List;

/**
 * Distils a session's pending turns one batch at a time, from inside a workflow: used by the
 * session's {@link DistillationWorkflow} and by the session cleanup before it closes a session. A
 * batch whose extraction stays malformed through its retries is recorded as failed, with nothing
 * stored, and distillation moves on.
 */
final class SessionDistillation {
  /** Turns per batch: an exchange is two turns, so ten exchanges per extraction call. */
  static final int BATCH_TURNS = 20;

  /** Extraction attempts before a batch is recorded as failed. */
  static final int EXTRACTION_ATTEMPTS = 3;

  /** One batch: its result, or why it failed; {@code sessionGone} when the session was deleted. */
  record Batch(long toTurnId, DistillationBatchResult result, String error, boolean sessionGone) {}

  private final DistillationActivities local =
      ActivityStubs.stub(
          DistillationActivities.class, Duration.ofMinutes(1), RetryPolicies.standard());

  /**
   * Extraction may call the LLM, so it runs on the {@code llm} task queue with a longer timeout and
   * few attempts: a model that keeps answering garbage should not hold a session for hours.
   */
  private final DistillationActivities extraction =
      Workflow.newActivityStub(
          DistillationActivities.class,
          ActivityStubs.options(
                  Duration.ofMinutes(5),
                  RetryOptions.newBuilder()
                      .setInitialInterval(Duration.ofSeconds(2))
                      .setBackoffCoefficient(2.0)
                      .setMaximumAttempts(EXTRACTION_ATTEMPTS)
                      .setDoNotRetry(FailureTypes.UNKNOWN_SESSION)
                      .build())
              .setTaskQueue(TaskQueues.LLM)
              .build());

  /** Distils the next batch of the session's pending turns; null when none is pending. */
  Batch next(String sessionId) {
    List<Long> turns = local.pendingTurns(sessionId, BATCH_TURNS);
    if (turns.isEmpty()) {
      return null;
    }
    long to = Collections.max(turns);
    long now = Workflow.currentTimeMillis();
    try {
      return new Batch(to, extraction.distill(sessionId, turns, now), null, false);
    } catch (ActivityFailure failure) {
      ApplicationFailure cause = applicationFailure(failure);
      if (cause != null && FailureTypes.UNKNOWN_SESSION.equals(cause.getType())) {
        return new Batch(to, null, cause.getOriginalMessage(), true);
      }
      String reason =
          cause != null ? cause.getOriginalMessage() : String.valueOf(failure.getCause());
      local.recordFailedBatch(sessionId, turns, reason, Workflow.currentTimeMillis());
      return new Batch(to, null, reason, false);
    }
  }

  private static ApplicationFailure applicationFailure(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ApplicationFailure application) {
        return application;
      }
    }
    return null;
  }
}
