package io.engram.api.drift;

import io.engram.api.problems.Problems;
import io.engram.contract.Drift.Retraining;
import io.engram.workflows.training.DriftSummary;
import io.engram.workflows.training.RetrainingRequest;
import io.engram.workflows.training.RetrainingWorkflow;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowServiceException;
import jakarta.inject.Singleton;
import java.util.Map;

/**
 * Starts a collection's retraining for a drift verdict, as the scheduled check does: trigger {@code
 * drift}, the retraining's own workflow id, so one already running is left alone.
 */
@Singleton
class RetrainingTrigger {
  private final WorkflowClient client;

  RetrainingTrigger(WorkflowClient client) {
    this.client = client;
  }

  Retraining start(String collection) {
    RetrainingWorkflow workflow =
        client.newWorkflowStub(
            RetrainingWorkflow.class, RetrainingWorkflow.startOptions(collection));
    String workflowId = RetrainingWorkflow.workflowId(collection);
    try {
      WorkflowClient.start(
          workflow::retrain,
          new RetrainingRequest(collection, RetrainingRequest.DRIFT, false, null, Map.of()));
      return new Retraining(workflowId, DriftSummary.STARTED);
    } catch (WorkflowExecutionAlreadyStarted e) {
      return new Retraining(workflowId, DriftSummary.ALREADY_RUNNING);
    } catch (WorkflowServiceException e) {
      throw Problems.unavailable(
          "the drift report is stored, but the retraining could not be started (is Temporal"
              + " up?): "
              + e.getMessage());
    }
  }
}
