package io.engram.workflows.collection;

import io.temporal.testing.WorkflowReplayer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Replays a recorded deletion (see {@link RecordCollectionDeletionHistoriesTest}). A deletion of a
 * large collection runs long enough to be in flight when a worker is redeployed, so a change to the
 * commands it issues must fail here first.
 */
@Timeout(60)
class CollectionDeletionWorkflowReplayTest {

  /** Guards CollectionDeletionWorkflowImpl: marking, four kinds purged (one retried), removal. */
  @Test
  void replays_a_deletion_with_a_purge_retried() throws Exception {
    WorkflowReplayer.replayWorkflowExecutionFromResource(
        "histories/collection-deletion-purge-retried.json", CollectionDeletionWorkflowImpl.class);
  }
}
