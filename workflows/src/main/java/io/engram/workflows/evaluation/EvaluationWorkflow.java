package io.engram.workflows.evaluation;

import io.engram.workflows.common.EngramSearchAttributes;
import io.engram.workflows.common.TaskQueues;
import io.temporal.client.WorkflowOptions;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.Locale;
import java.util.UUID;

/**
 * Evaluates retrieval on the judged queries of a BEIR split: every query runs through the real
 * retrieval path, and NDCG@10, MRR@10, Recall@10/@100 and latency are stored in {@code eval_runs}
 * against the model version. With {@link EvaluationRequest#answers()} the worker's LLM also answers
 * a sample of the queries, and advisory answer-level metrics are stored beside them ({@link
 * AnswerSummary}).
 */
@WorkflowInterface
public interface EvaluationWorkflow {

  @WorkflowMethod
  EvaluationSummary evaluate(EvaluationRequest request);

  @QueryMethod
  EvaluationProgress progress();

  /**
   * How every client starts an evaluation: its id, the {@code training} task queue, and the
   * collection as a search attribute operators filter on.
   */
  static WorkflowOptions startOptions(String workflowId, String collection) {
    return WorkflowOptions.newBuilder()
        .setWorkflowId(workflowId)
        .setTaskQueue(TaskQueues.TRAINING)
        .setTypedSearchAttributes(EngramSearchAttributes.ofCollection(collection))
        .build();
  }

  /**
   * A new evaluation's workflow id. Each request is its own run (a repeated evaluation is a new
   * measurement, not a duplicate), so the id ends with part of {@code nonce}; the rest makes runs
   * recognisable in the Temporal UI.
   */
  static String workflowId(EvaluationRequest request, UUID nonce) {
    return ("eval-"
            + request.collection()
            + "-"
            + request.split()
            + "-"
            + request.part()
            + "-"
            + nonce.toString().substring(0, 8))
        .toLowerCase(Locale.ROOT);
  }
}
