package io.engram.workflows.evaluation;

import io.engram.workflows.common.FailureTypes;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Prepare, then evaluate the queries in batches with bounded parallelism, then summarize. Only ids,
 * counts and metric sums cross the history; query texts and judgements stay in PostgreSQL.
 */
public class EvaluationWorkflowImpl implements EvaluationWorkflow {
  /** Queries per activity: a few seconds of retrieval, so progress and retries are fine-grained. */
  static final int BATCH_SIZE = 50;

  /**
   * Batches in flight. Each query's two retrieval legs already run in parallel, so two batches keep
   * both cores busy; more would only inflate the measured latencies.
   */
  static final int MAX_PARALLEL_BATCHES = 2;

  private static final RetryOptions RETRY =
      RetryOptions.newBuilder()
          .setInitialInterval(Duration.ofSeconds(1))
          .setBackoffCoefficient(2.0)
          .setMaximumInterval(Duration.ofMinutes(1))
          .setMaximumAttempts(20)
          .setDoNotRetry(
              FailureTypes.UNKNOWN_COLLECTION,
              FailureTypes.UNKNOWN_MODEL_VERSION,
              FailureTypes.INVALID_DATASET)
          .build();

  private final EvaluationActivities preparation =
      Workflow.newActivityStub(
          EvaluationActivities.class,
          ActivityOptions.newBuilder()
              .setStartToCloseTimeout(Duration.ofMinutes(10))
              // Reading large query files and loading an embedding model take a while.
              .setHeartbeatTimeout(Duration.ofMinutes(2))
              .setRetryOptions(RETRY)
              .build());

  private final EvaluationActivities batches =
      Workflow.newActivityStub(
          EvaluationActivities.class,
          ActivityOptions.newBuilder()
              .setStartToCloseTimeout(Duration.ofMinutes(30))
              // A killed worker is noticed within this time and the batch is retried elsewhere.
              .setHeartbeatTimeout(Duration.ofSeconds(30))
              .setRetryOptions(RETRY)
              .build());

  private final EvaluationActivities bookkeeping =
      Workflow.newActivityStub(
          EvaluationActivities.class,
          ActivityOptions.newBuilder()
              .setStartToCloseTimeout(Duration.ofMinutes(2))
              .setRetryOptions(RETRY)
              .build());

  private String phase = "preparing";
  private long evalRunId;
  private String modelVersion;
  private int total;
  private int done;
  private double ndcgAt10;
  private double mrrAt10;
  private double recallAt10;
  private double recallAt100;
  private EvaluationSummary result;

  @Override
  public EvaluationSummary evaluate(EvaluationRequest request) {
    EvaluationPlan plan;
    try {
      plan = preparation.prepare(request);
    } catch (ActivityFailure e) {
      // Nothing was registered: bad input fails here, before any row is written.
      phase = "failed";
      throw e;
    }
    evalRunId = plan.evalRunId();
    modelVersion = plan.indexVersion();
    total = plan.queries();
    try {
      phase = "evaluating";
      List<Promise<BatchScores>> running = new ArrayList<>();
      int next = 0;
      while (next < total || !running.isEmpty()) {
        while (running.size() < MAX_PARALLEL_BATCHES && next < total) {
          int to = Math.min(total, next + BATCH_SIZE);
          running.add(Async.function(batches::evaluateBatch, evalRunId, next, to));
          next = to;
        }
        // Each finished batch is counted at once, so progress never waits for a slower one.
        Promise.anyOf(running).get();
        collectCompleted(running);
      }
      phase = "summarizing";
      result = bookkeeping.complete(evalRunId);
      modelVersion = result.modelVersion();
      phase = "done";
      return result;
    } catch (ActivityFailure | CanceledFailure e) {
      phase = "failed";
      boolean cancelled = e instanceof CanceledFailure || e.getCause() instanceof CanceledFailure;
      String reason = cancelled ? "cancelled" : reason(e);
      // The run is marked even when the workflow is being cancelled, hence the detached scope.
      Workflow.newDetachedCancellationScope(
              () -> bookkeeping.markEnded(evalRunId, cancelled, reason))
          .run();
      throw e;
    }
  }

  private void collectCompleted(List<Promise<BatchScores>> running) {
    for (Iterator<Promise<BatchScores>> it = running.iterator(); it.hasNext(); ) {
      Promise<BatchScores> promise = it.next();
      if (promise.isCompleted()) {
        it.remove();
        BatchScores scores = promise.get();
        done += scores.queries();
        ndcgAt10 += scores.ndcgAt10();
        mrrAt10 += scores.mrrAt10();
        recallAt10 += scores.recallAt10();
        recallAt100 += scores.recallAt100();
      }
    }
  }

  /** The innermost failure's own message, which names the bad input or the broken dependency. */
  private static String reason(TemporalFailure failure) {
    Throwable t = failure;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    String message =
        t instanceof ApplicationFailure application
            ? application.getOriginalMessage()
            : t.getMessage();
    return message == null ? t.getClass().getSimpleName() : message;
  }

  @Override
  public EvaluationProgress progress() {
    return new EvaluationProgress(
        phase,
        evalRunId,
        modelVersion,
        total,
        done,
        done == 0 ? 0 : ndcgAt10 / done,
        done == 0 ? 0 : mrrAt10 / done,
        done == 0 ? 0 : recallAt10 / done,
        done == 0 ? 0 : recallAt100 / done,
        result);
  }
}
