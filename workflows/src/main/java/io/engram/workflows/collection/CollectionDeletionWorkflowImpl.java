package io.engram.workflows.collection;

import io.engram.workflows.common.ActivityStubs;
import io.engram.workflows.common.RetryPolicies;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Marks, purges kind by kind, removes. Only the collection's key, kind names and counts pass
 * through history.
 */
public class CollectionDeletionWorkflowImpl implements CollectionDeletionWorkflow {

  private final CollectionDeletionActivities marking =
      ActivityStubs.stub(
          CollectionDeletionActivities.class, Duration.ofMinutes(1), RetryPolicies.standard());

  /**
   * A kind of a large collection (its chunks) takes a while: the purge heartbeats after every
   * batch, so a worker that dies in it is noticed within the heartbeat timeout, and the retry goes
   * on where it stopped.
   */
  private final CollectionDeletionActivities purging =
      ActivityStubs.heartbeating(
          CollectionDeletionActivities.class,
          Duration.ofHours(2),
          ActivityStubs.BATCH_HEARTBEAT,
          RetryPolicies.standard());

  private final Map<String, Long> deleted = new LinkedHashMap<>();
  private String stage = CollectionDeletionProgress.MARKING;
  private String kind;

  @Override
  public CollectionDeletionResult delete(String collection) {
    show();
    List<String> kinds = marking.begin(collection);
    if (kinds.isEmpty()) {
      stage = CollectionDeletionProgress.DONE;
      show();
      return new CollectionDeletionResult(collection, deleted, false);
    }
    stage = CollectionDeletionProgress.DELETING;
    for (String k : kinds) {
      kind = k;
      show();
      deleted.put(k, purging.purge(collection, k));
    }
    kind = null;
    stage = CollectionDeletionProgress.REMOVING;
    show();
    boolean removed = marking.finish(collection);
    stage = CollectionDeletionProgress.DONE;
    show();
    return new CollectionDeletionResult(collection, deleted, removed);
  }

  @Override
  public CollectionDeletionProgress progress() {
    return new CollectionDeletionProgress(stage, kind, deleted);
  }

  /** What the Temporal UI shows as the run's current details. */
  private void show() {
    long rows = deleted.values().stream().mapToLong(Long::longValue).sum();
    Workflow.setCurrentDetails(
        stage + (kind == null ? "" : " " + kind) + "; " + rows + " rows deleted so far");
  }
}
