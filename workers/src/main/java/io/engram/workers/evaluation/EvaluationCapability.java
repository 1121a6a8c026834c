package io.engram.workers.evaluation;

import io.engram.activities.evaluation.AnswerEvaluationActivitiesImpl;
import io.engram.activities.evaluation.EvaluationActivitiesImpl;
import io.engram.core.CoreServices;
import io.engram.core.evaluation.AnswerEvaluation;
import io.engram.core.evaluation.EvaluationService;
import io.engram.core.query.ExchangeListener;
import io.engram.core.query.QueryPipelines;
import io.engram.workers.Capability;
import io.engram.workers.WorkerContext;
import io.engram.workflows.common.TaskQueues;
import io.engram.workflows.evaluation.EvaluationWorkflowImpl;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluation: the {@code EvaluationWorkflow} and its retrieval activities on task queue {@code
 * training}, its answer activities on {@code llm}. Both measure the query pipelines of this
 * process, built from the same settings as the API's, so an evaluation measures what {@code POST
 * /v1/query} serves.
 */
public final class EvaluationCapability implements Capability {
  private static final Logger log = LoggerFactory.getLogger(EvaluationCapability.class);

  /** The evaluation steps over this process's query pipelines. */
  public static EvaluationService service(CoreServices core, MeterRegistry metrics) {
    return new EvaluationService(
        core.jdbi(),
        core.evaluations(),
        core.indexVersions(),
        core.collections(),
        core.blobs(),
        core.queryPipelines(metrics, ExchangeListener.NONE),
        core.registry());
  }

  @Override
  public void register(WorkerContext context) {
    CoreServices core = context.core();
    if (context.polls(TaskQueues.TRAINING)) {
      context
          .queue(TaskQueues.TRAINING)
          .registerWorkflowImplementationTypes(EvaluationWorkflowImpl.class);
      context
          .queue(TaskQueues.TRAINING)
          .registerActivitiesImplementations(
              new EvaluationActivitiesImpl(service(core, context.metrics())));
    }
    if (context.polls(TaskQueues.LLM)) {
      // The advisory answer tier asks this process's LLM; without one its activities fail for
      // good with the reason.
      QueryPipelines pipelines = core.queryPipelines(context.metrics(), ExchangeListener.NONE);
      AnswerEvaluation answers =
          new AnswerEvaluation(
              core.evaluations(),
              core.indexVersions(),
              pipelines,
              core.llm().map(l -> l.modelName()).orElse(null));
      log.info(
          "evaluation answers: {}",
          answers.model().orElse("none (no LLM configured for the worker)"));
      context
          .queue(TaskQueues.LLM)
          .registerActivitiesImplementations(new AnswerEvaluationActivitiesImpl(answers));
    }
  }
}
