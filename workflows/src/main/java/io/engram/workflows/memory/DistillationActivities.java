package io.engram.workflows.memory;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;

/** The steps of distillation. Implementations live in the activities module. */
@ActivityInterface
public interface DistillationActivities {

  /**
   * Attempts of {@link #distill} before malformed output is final: the attempt that reaches it
   * throws the malformed-extraction failure as non-retryable, and the batch is recorded as failed.
   */
  int MALFORMED_ATTEMPTS = 3;

  /** The ids of the session's turns after its distillation watermark, oldest first. Read-only. */
  @ActivityMethod
  List<Long> pendingTurns(String sessionId, int limit);

  /**
   * Extracts facts from the turns {@code turnIds} (with the LLM when configured, falling back to
   * the local extractor when it is unreachable), embeds them and stores them with dedup and
   * supersession, all at {@code nowMillis}.
   *
   * <p>Idempotent: the facts, the batch record and the session's watermark are written in one
   * transaction, and a retry that finds the batch record returns it without storing anything.
   *
   * <p>Only malformed output makes a batch fail for good; any other error (the database, the LLM
   * call timing out) is retried and the batch stays pending.
   *
   * @throws io.temporal.failure.ApplicationFailure of type {@code MalformedExtraction} when the
   *     extractor's output is invalid (retryable before attempt {@link #MALFORMED_ATTEMPTS},
   *     non-retryable from it), or {@code UnknownSession} (non-retryable)
   */
  @ActivityMethod
  DistillationBatchResult distill(String sessionId, List<Long> turnIds, long nowMillis);

  /**
   * Records a batch that could not be distilled and moves the watermark past it; stores no fact.
   * Idempotent by (session, last turn of the batch).
   */
  @ActivityMethod
  void recordFailedBatch(String sessionId, List<Long> turnIds, String reason, long nowMillis);
}
