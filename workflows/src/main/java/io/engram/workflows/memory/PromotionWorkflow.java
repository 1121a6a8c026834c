package io.engram.workflows.memory;

import io.engram.contract.Memory.PromotionOutcome;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Moves strong episodic facts (salience, citations and age above the thresholds) into semantic
 * memory, batch by batch, each batch one transaction. Run daily by the {@code engram-promotion}
 * schedule; one run does one pass, so it works the same under a Schedule and a cron workflow.
 */
@WorkflowInterface
public interface PromotionWorkflow {

  @WorkflowMethod
  PromotionOutcome promote(PromotionRequest request);

  /** Counts and ids so far. */
  @QueryMethod
  PromotionOutcome progress();
}
