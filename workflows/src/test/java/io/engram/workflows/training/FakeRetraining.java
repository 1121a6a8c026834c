package io.engram.workflows.training;

import io.temporal.workflow.Workflow;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Stands in for the retraining the drift workflow starts: records the request and runs until the
 * test ends (it waits on a condition, not a timer, so time skipping never ends it).
 */
public class FakeRetraining implements RetrainingWorkflow {
  static final List<RetrainingRequest> STARTED = new CopyOnWriteArrayList<>();

  @Override
  public RetrainingResult retrain(RetrainingRequest request) {
    if (!Workflow.isReplaying()) {
      STARTED.add(request);
    }
    Workflow.await(() -> false);
    return null;
  }

  @Override
  public RetrainingProgress progress() {
    return new RetrainingProgress("searching", "drift", 0, 0, 0, null, null, null);
  }
}
