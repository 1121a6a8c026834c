package io.engram.workflows.training;

import io.temporal.workflow.Workflow;

/**
 * Stands in for the retraining the drift workflow starts: runs until the test ends. Tests read what
 * started it from the histories ({@code ChildStartsSeen}).
 */
public class FakeRetraining implements RetrainingWorkflow {

  @Override
  public RetrainingResult retrain(RetrainingRequest request) {
    Workflow.await(() -> false);
    return null;
  }

  @Override
  public RetrainingProgress progress() {
    return new RetrainingProgress("searching", "drift", 0, 0, 0, null, null, null);
  }
}
