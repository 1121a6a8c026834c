package io.engram.workflows.training;

import io.engram.workflows.common.ActivityStubs;
import io.engram.workflows.common.RetryPolicies;
import io.temporal.failure.ChildWorkflowFailure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One collection after the other: start its retraining (trigger {@code schedule}) and wait for it,
 * so the machine runs one search at a time. A collection whose retraining is already running (a
 * drift trigger, a manual run) is left to it; one whose retraining fails does not stop the others.
 */
public class ScheduledRetrainingWorkflowImpl implements ScheduledRetrainingWorkflow {

  private final RetrainingActivities activities =
      ActivityStubs.stub(
          RetrainingActivities.class, Duration.ofMinutes(1), RetryPolicies.standard());

  @Override
  public ScheduledRetrainingSummary retrainAll() {
    List<ScheduledRetrainingSummary.Asked> asked = new ArrayList<>();
    for (String collection : activities.collections()) {
      RetrainingStarts.Start start = RetrainingStarts.start(collection, RetrainingRequest.SCHEDULE);
      RetrainingResult result = null;
      if (start.result() != null) {
        try {
          result = start.result().get();
        } catch (ChildWorkflowFailure e) {
          result =
              new RetrainingResult(
                  null, RetrainingResult.FAILED, null, List.of(), e.getCause().getMessage());
        }
      }
      asked.add(new ScheduledRetrainingSummary.Asked(collection, start.status(), result));
    }
    return new ScheduledRetrainingSummary(asked);
  }
}
