package io.engram.workflows.training;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * The scheduled retraining (weekly by default, {@code ENGRAM_SCHEDULE_RETRAIN_*}): asks every
 * collection with a serving model whether to retrain, one retraining at a time, each a child {@link
 * RetrainingWorkflow} with trigger {@code schedule} whose decision usually ends it in seconds.
 */
@WorkflowInterface
public interface ScheduledRetrainingWorkflow {

  /** The schedule's id, and the prefix of the ids of the runs it starts. */
  String SCHEDULE_ID = "engram-retrain";

  @WorkflowMethod
  ScheduledRetrainingSummary retrainAll();
}
