package io.engram.workflows.evaluation;

import io.engram.workflows.common.ActivityStubs;
import io.engram.workflows.common.FailureTypes;
import io.engram.workflows.common.Failures;
import io.engram.workflows.common.ParallelBatches;
import io.engram.workflows.common.RetryPolicies;
import io.engram.workflows.common.TaskQueues;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.Workflow;
import java.time.Duration;

/**
 * Prepare, then evaluate the queries in batches with bounded parallelism, then (when asked for)
 * answer a sample of them on the {@code llm} task queue for the advisory answer tier, then
 * summarize. Only ids, counts and metric sums cross the history; query texts, judgements, passages
 * and answers stay in PostgreSQL.
 */
public class EvaluationWorkflowImpl implements EvaluationWorkflow {
  /** Queries per activity: a few seconds of retrieval, so progress and retries are fine-grained. */
  static final int BATCH_SIZE = 50;

  /**
   * Batches in flight. Each query's two retrieval legs already run in parallel, so two batches keep
   * both cores busy; more would only inflate the measured latencies.
   */
  static final int MAX_PARALLEL_BATCHES = 2;

  /**
   * Sampled queries per answer activity: a small local model takes up to half a minute per answer
   * on two cores, so a batch is a few minutes and a retry repeats little.
   */
  static final int ANSWER_BATCH_SIZE = 5;

  /**
   * The change id of the answer tier. Runs recorded before it (no marker in their history) replay
   * as retrieval-only, which is all they could be: their requests had no {@code answers}.
   */
  static final String ANSWER_TIER = "answer-tier";

  private static final RetryOptions RETRY =
      RetryPolicies.standard(
          FailureTypes.UNKNOWN_COLLECTION,
          FailureTypes.UNKNOWN_MODEL_VERSION,
          FailureTypes.INVALID_DATASET);

  // Reading large query files and loading an embedding model take a while.
  private final EvaluationActivities preparation =
      ActivityStubs.heartbeating(
          EvaluationActivities.class, Duration.ofMinutes(10), Duration.ofMinutes(2), RETRY);

  private final EvaluationActivities batches =
      ActivityStubs.heartbeating(
          EvaluationActivities.class, Duration.ofMinutes(30), ActivityStubs.BATCH_HEARTBEAT, RETRY);

  private static final RetryOptions ANSWER_RETRY =
      RetryOptions.newBuilder(RETRY).setDoNotRetry(FailureTypes.LLM_NOT_CONFIGURED).build();

  private final AnswerEvaluationActivities answerSetup =
      Workflow.newActivityStub(
          AnswerEvaluationActivities.class,
          ActivityStubs.options(Duration.ofMinutes(2), ANSWER_RETRY)
              .setTaskQueue(TaskQueues.LLM)
              .build());

  // Generation is slow (every answer may wait out the LLM's timeout and retry), so the batch's time
  // is generous; a dead worker is still noticed by the heartbeat.
  private final AnswerEvaluationActivities answering =
      Workflow.newActivityStub(
          AnswerEvaluationActivities.class,
          ActivityStubs.options(Duration.ofMinutes(30), ANSWER_RETRY)
              .setHeartbeatTimeout(Duration.ofMinutes(1))
              .setTaskQueue(TaskQueues.LLM)
              .build());

  private final EvaluationActivities bookkeeping =
      ActivityStubs.stub(EvaluationActivities.class, Duration.ofMinutes(2), RETRY);

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
  private String answerModel;
  private int answersTotal;
  private int answersDone;
  private int answersFallback;

  @Override
  public EvaluationSummary evaluate(EvaluationRequest request) {
    int answers =
        Workflow.getVersion(ANSWER_TIER, Workflow.DEFAULT_VERSION, 1) == Workflow.DEFAULT_VERSION
            ? 0
            : request.answerCount();
    EvaluationPlan plan;
    try {
      if (answers > 0) {
        // Before anything is registered: without an LLM the run fails at once, with its reason.
        answerModel = answerSetup.answerModel();
      }
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
      ParallelBatches.run(
          total,
          BATCH_SIZE,
          MAX_PARALLEL_BATCHES,
          (from, to) -> Async.function(batches::evaluateBatch, evalRunId, from, to),
          this::count);
      if (answers > 0) {
        answer(answers);
      }
      phase = "summarizing";
      result = bookkeeping.complete(evalRunId);
      modelVersion = result.modelVersion();
      phase = "done";
      return result;
    } catch (ActivityFailure | CanceledFailure e) {
      phase = "failed";
      boolean cancelled = e instanceof CanceledFailure || e.getCause() instanceof CanceledFailure;
      String reason = cancelled ? "cancelled" : Failures.reason(e);
      // The run is marked even when the workflow is being cancelled, hence the detached scope.
      Workflow.newDetachedCancellationScope(
              () -> bookkeeping.markEnded(evalRunId, cancelled, reason))
          .run();
      throw e;
    }
  }

  /**
   * Answers the run's sample one batch at a time: the LLM serves one request at a time, and the
   * {@code llm} queue also carries memory distillation.
   */
  private void answer(int answers) {
    phase = "answering";
    answersTotal = answerSetup.sampleAnswers(evalRunId, answers);
    for (int from = 0; from < answersTotal; from += ANSWER_BATCH_SIZE) {
      int to = Math.min(answersTotal, from + ANSWER_BATCH_SIZE);
      AnswerScores scores = answering.answerBatch(evalRunId, from, to);
      answersDone += scores.done();
      answersFallback += scores.done() - scores.generated();
    }
  }

  private void count(BatchScores scores) {
    done += scores.queries();
    ndcgAt10 += scores.ndcgAt10();
    mrrAt10 += scores.mrrAt10();
    recallAt10 += scores.recallAt10();
    recallAt100 += scores.recallAt100();
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
        result,
        answerModel,
        answersTotal,
        answersDone,
        answersFallback);
  }
}
