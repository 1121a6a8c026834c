package io.engram.workflows.evaluation;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** The evaluation steps. Implementations live in the activities module. */
@ActivityInterface
public interface EvaluationActivities {

  /**
   * Checks the collection and model version, reads the uploaded queries and qrels, and registers
   * the run in {@code eval_runs} with one pending {@code eval_query_results} row per selected
   * query.
   *
   * <p>Idempotent by workflow id: the run and its queries are written in one transaction, and a
   * retry that finds them returns the same plan without reading the blobs again.
   *
   * @throws io.temporal.failure.ApplicationFailure non-retryable, of type {@code
   *     UnknownCollection}, {@code UnknownModelVersion} or {@code InvalidDataset}, when the request
   *     can never succeed
   */
  @ActivityMethod
  EvaluationPlan prepare(EvaluationRequest request);

  /**
   * Runs the queries {@code fromSeq <= seq < toSeq} of the run through the retrieval path, one at a
   * time, and stores each query's metrics and latency. Heartbeats with the last finished sequence
   * number.
   *
   * <p>Idempotent per query: only queries still pending are run, and each result is written to the
   * row keyed by (run, query id), so a retry after a crash neither repeats a finished query nor
   * counts it twice. The scores cover the whole range, read back from the stored rows.
   */
  @ActivityMethod
  BatchScores evaluateBatch(long evalRunId, int fromSeq, int toSeq);

  /**
   * Computes the run's metrics from its stored per-query results and marks it completed.
   * Idempotent: completing again recomputes the same values.
   */
  @ActivityMethod
  EvaluationSummary complete(long evalRunId);

  /**
   * Marks a run that will not complete as failed or cancelled, with the reason. Idempotent; a run
   * that already ended is left as it is.
   */
  @ActivityMethod
  void markEnded(long evalRunId, boolean cancelled, String reason);
}
