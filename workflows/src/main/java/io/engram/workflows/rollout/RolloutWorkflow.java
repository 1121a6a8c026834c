package io.engram.workflows.rollout;

import io.engram.workflows.common.EngramSearchAttributes;
import io.engram.workflows.common.TaskQueues;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.SearchAttributes;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Rolls a staged model version out: shadow (mirrored queries, off the request path) → canary steps
 * (a growing share of conversations, another share interleaved) judged on guardrails and a
 * sequential test of interleaved clicks → promote, roll back or keep the champion. The routing
 * itself is state in PostgreSQL that the workflow moves; every API replica reads it.
 */
@WorkflowInterface
public interface RolloutWorkflow {

  @WorkflowMethod
  RolloutResult rollOut(RolloutRequest request);

  /** Promotes now: the operator's approval of a winning candidate (or a decision to skip ahead). */
  @SignalMethod
  void approve(RolloutSignal signal);

  /**
   * Rolls back now: the candidate is archived with the reason, unless it has served as champion
   * before (then it stays registered, the collection's way back).
   */
  @SignalMethod
  void abort(RolloutSignal signal);

  /** Holds the rollout where it is: routing stays, nothing advances or decides. */
  @SignalMethod
  void pause(RolloutSignal signal);

  @SignalMethod
  void resume(RolloutSignal signal);

  @QueryMethod
  RolloutStatus status();

  /**
   * A rollout's id names the collection and the candidate, so a second start of the same rollout
   * while it runs is refused by Temporal; the database allows one running rollout per collection.
   */
  static String workflowId(String collection, int candidate) {
    return "rollout-" + collection + "-v" + candidate;
  }

  /** How every client starts a rollout: its id, task queue {@code training}, searchable fields. */
  static WorkflowOptions startOptions(String collection, int candidate) {
    return WorkflowOptions.newBuilder()
        .setWorkflowId(workflowId(collection, candidate))
        .setTaskQueue(TaskQueues.TRAINING)
        .setTypedSearchAttributes(
            SearchAttributes.newBuilder()
                .set(EngramSearchAttributes.COLLECTION, collection)
                .set(EngramSearchAttributes.CANDIDATE_VERSION, "v" + candidate)
                .set(EngramSearchAttributes.ROLLOUT_PHASE, RolloutStatus.STARTING)
                .build())
        .build();
  }
}
