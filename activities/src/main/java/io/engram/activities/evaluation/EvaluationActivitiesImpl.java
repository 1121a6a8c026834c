package io.engram.activities.evaluation;

import io.engram.activities.FailureReasons;
import io.engram.core.evaluation.EvaluationAnswers;
import io.engram.core.evaluation.EvaluationQueries;
import io.engram.core.evaluation.EvaluationRuns;
import io.engram.core.evaluation.EvaluationService;
import io.engram.core.evaluation.EvaluationService.InvalidEvaluationException;
import io.engram.core.evaluation.QuerySplit;
import io.engram.workflows.common.FailureTypes;
import io.engram.workflows.evaluation.AnswerSummary;
import io.engram.workflows.evaluation.BatchScores;
import io.engram.workflows.evaluation.EvaluationActivities;
import io.engram.workflows.evaluation.EvaluationPlan;
import io.engram.workflows.evaluation.EvaluationRequest;
import io.engram.workflows.evaluation.EvaluationSummary;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Thin adapter from the activity interface to {@link EvaluationService}: translates payloads,
 * heartbeats, and maps bad input to non-retryable failures by type. Transient errors (database,
 * I/O) propagate and are retried by Temporal with backoff.
 */
public class EvaluationActivitiesImpl implements EvaluationActivities {
  /** Reasons are cut to this length so one odd failure cannot bloat a row or the history. */
  static final int MAX_REASON = 1000;

  private final EvaluationService service;

  public EvaluationActivitiesImpl(EvaluationService service) {
    this.service = service;
  }

  @Override
  public EvaluationPlan prepare(EvaluationRequest request) {
    ActivityExecutionContext ctx = Activity.getExecutionContext();
    try {
      EvaluationService.Plan plan =
          service.prepare(
              new EvaluationService.Request(
                  ctx.getInfo().getWorkflowId(),
                  request.dataset(),
                  request.split(),
                  QuerySplit.Part.fromWireName(request.part()),
                  request.collection(),
                  request.modelVersion(),
                  new EvaluationService.Queries(
                      request.queriesBlob(), request.qrelsBlob(), request.fromRun()),
                  request.limit()),
              () -> ctx.heartbeat(null));
      return new EvaluationPlan(plan.runId(), plan.indexVersion(), plan.queries());
    } catch (InvalidEvaluationException e) {
      throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), failureType(e.reason()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public BatchScores evaluateBatch(long evalRunId, int fromSeq, int toSeq) {
    ActivityExecutionContext ctx = Activity.getExecutionContext();
    // A retry needs no heartbeat detail to resume: queries finished by an earlier attempt are
    // skipped by their stored status.
    EvaluationQueries.Sums sums =
        service.evaluate(evalRunId, fromSeq, toSeq, ctx::heartbeat).sums();
    return new BatchScores(
        sums.queries(), sums.ndcgAt10(), sums.mrrAt10(), sums.recallAt10(), sums.recallAt100());
  }

  @Override
  public EvaluationSummary complete(long evalRunId) {
    EvaluationRuns.Run run = service.complete(evalRunId);
    EvaluationRuns.EvalSet set = run.evalSet();
    EvaluationRuns.Metrics metrics = run.metrics();
    return new EvaluationSummary(
        run.id(),
        set.dataset(),
        set.split(),
        set.part(),
        run.target().collection(),
        run.target().modelVersion(),
        run.queryCount(),
        metrics.ndcgAt10(),
        metrics.mrrAt10(),
        metrics.recallAt10(),
        metrics.recallAt100(),
        metrics.p50Ms(),
        metrics.p95Ms(),
        answers(run.answers()));
  }

  @Override
  public void markEnded(long evalRunId, boolean cancelled, String reason) {
    service.fail(evalRunId, cancelled, FailureReasons.truncate(reason, MAX_REASON));
  }

  static AnswerSummary answers(EvaluationAnswers.Summary a) {
    return a == null
        ? null
        : new AnswerSummary(
            a.model(),
            a.sample(),
            a.generated(),
            a.fallback(),
            a.faithfulness(),
            a.relevancy(),
            a.contextRecall(),
            a.p50Ms());
  }

  static String failureType(InvalidEvaluationException.Reason reason) {
    return switch (reason) {
      case UNKNOWN_COLLECTION -> FailureTypes.UNKNOWN_COLLECTION;
      case UNKNOWN_MODEL_VERSION -> FailureTypes.UNKNOWN_MODEL_VERSION;
      case INVALID_DATASET -> FailureTypes.INVALID_DATASET;
    };
  }
}
