package io.engram.api.memory;

import io.engram.api.temporal.WorkflowRun;
import io.engram.contract.Memory.PromotionOutcome;
import io.engram.core.config.EngramSettings;
import io.engram.core.memory.MemorySettings;
import io.engram.workflows.common.TaskQueues;
import io.engram.workflows.memory.MemoryJobs;
import io.engram.workflows.memory.PromotionRequest;
import io.engram.workflows.memory.PromotionWorkflow;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import jakarta.inject.Singleton;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Starts a promotion on demand, typically a dry run that reports what the next daily run would
 * promote. Uses the thresholds the worker's schedule uses: both read the same environment.
 */
@Singleton
class PromotionStarter {
  /** How long the request waits for the run before answering with its id only. */
  static final long WAIT_SECONDS = 60;

  /** The outcome: the result when the run finished in time, else only its id. */
  record Outcome(String workflowId, PromotionOutcome result) {}

  private final WorkflowClient client;
  private final MemorySettings settings;

  PromotionStarter(WorkflowClient client, EngramSettings settings) {
    this.client = client;
    this.settings = settings.memory();
  }

  Outcome start(boolean dryRun) {
    MemorySettings.Promotion p = settings.promotion();
    String workflowId =
        MemoryJobs.scheduleId(MemoryJobs.PROMOTION)
            + (dryRun ? "-dry-run-" : "-manual-")
            + System.currentTimeMillis();
    PromotionWorkflow workflow =
        client.newWorkflowStub(
            PromotionWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(workflowId)
                .setTaskQueue(TaskQueues.MAINTENANCE)
                .setTypedSearchAttributes(MemoryJobs.searchAttributes(MemoryJobs.PROMOTION))
                .setStaticSummary(
                    dryRun ? "Promotion dry run, on request" : "Promotion, on request")
                .build());
    WorkflowRun.start(
        "the promotion",
        () ->
            WorkflowClient.start(
                workflow::promote,
                new PromotionRequest(
                    dryRun, p.minSalience(), p.minCitations(), p.minAge(), p.batchSize(), null)));
    try {
      PromotionOutcome result =
          WorkflowStub.fromTyped(workflow)
              .getResult(WAIT_SECONDS, TimeUnit.SECONDS, PromotionOutcome.class);
      return new Outcome(workflowId, result);
    } catch (TimeoutException e) {
      return new Outcome(workflowId, null);
    }
  }
}
