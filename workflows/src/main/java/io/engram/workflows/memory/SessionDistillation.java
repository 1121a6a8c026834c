package io.engram.workflows.memory;

import io.engram.workflows.common.ActivityStubs;
import io.engram.workflows.common.FailureTypes;
import io.engram.workflows.common.RetryPolicies;
import io.engram.workflows.common.TaskQueues;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.Collections;
import java.util.List;

/**
 * Distils a session's pending turns one batch at a time, from inside a workflow: used by the
 * session's {@link DistillationWorkflow} and by the session cleanup before it closes a session. A
 * batch whose extraction stays malformed through its attempts is recorded as failed, with nothing
 * stored, and distillation moves on. Any other extraction failure (the database restarting, an LLM
 * call timing out) is retried at length and, if it outlasts the retries, leaves the batch pending:
 * the watermark stays before it, so closing the session keeps its turns for a later distillation.
 */
final class SessionDistillation {
  /** Turns per batch: an exchange is two turns, so ten exchanges per extraction call. */
  static final int BATCH_TURNS = 20;

  /** Extraction attempts with malformed output before a batch is recorded as failed. */
  static final int EXTRACTION_ATTEMPTS = DistillationActivities.MALFORMED_ATTEMPTS;

  /**
   * Before this version every extraction failure but an unknown session recorded the batch as
   * failed (and a close then deleted its turns); from it only malformed output does.
   */
  static final String ONLY_MALFORMED_FAILS = "distillation-only-malformed-batches-fail";

  /**
   * One batch: its result, or why it failed; {@code sessionGone} when the session was deleted;
   * {@code pending} when extraction failed for another reason than its output and nothing was
   * recorded (the turns wait for a later distillation).
   */
  record Batch(
      long toTurnId,
      DistillationBatchResult result,
      String error,
      boolean sessionGone,
      boolean pending) {}

  private final DistillationActivities local =
      ActivityStubs.stub(
          DistillationActivities.class, Duration.ofMinutes(1), RetryPolicies.standard());

  /**
   * Extraction may call the LLM, so it runs on the {@code llm} task queue with a longer timeout. It
   * retries with the shared policy: the activity itself makes malformed output final after {@link
   * #EXTRACTION_ATTEMPTS}, so a model that keeps answering garbage does not hold a session for
   * long.
   */
  private final DistillationActivities extraction =
      Workflow.newActivityStub(
          DistillationActivities.class,
          ActivityStubs.options(
                  Duration.ofMinutes(5), RetryPolicies.standard(FailureTypes.UNKNOWN_SESSION))
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
      return new Batch(to, extraction.distill(sessionId, turns, now), null, false, false);
    } catch (ActivityFailure failure) {
      ApplicationFailure cause = applicationFailure(failure);
      if (cause != null && FailureTypes.UNKNOWN_SESSION.equals(cause.getType())) {
        return new Batch(to, null, cause.getOriginalMessage(), true, false);
      }
      String reason =
          cause != null ? cause.getOriginalMessage() : String.valueOf(failure.getCause());
      boolean malformed =
          failure.getCause() instanceof ApplicationFailure direct
              && FailureTypes.MALFORMED_EXTRACTION.equals(direct.getType());
      if (!malformed
          && Workflow.getVersion(ONLY_MALFORMED_FAILS, Workflow.DEFAULT_VERSION, 1)
              != Workflow.DEFAULT_VERSION) {
        return new Batch(to, null, reason, false, true);
      }
      local.recordFailedBatch(sessionId, turns, reason, Workflow.currentTimeMillis());
      return new Batch(to, null, reason, false, false);
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
