package io.engram.workflows.rollout;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.List;

/**
 * Drops the indexes versions lost rollouts with, once the retention after each rollout has passed
 * (daily, schedule {@value #SCHEDULE_ID}, task queue {@code training}). Until then {@code ./engram
 * rollout undo} is instant; after it the storage is given back.
 */
@WorkflowInterface
public interface IndexRetentionWorkflow {
  String SCHEDULE_ID = "engram-index-retention";

  /** Drops what has expired at the workflow's current time; returns what it dropped. */
  @WorkflowMethod
  List<DroppedIndex> sweep();
}
