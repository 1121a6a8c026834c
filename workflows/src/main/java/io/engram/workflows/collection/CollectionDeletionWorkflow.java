package io.engram.workflows.collection;

import io.engram.workflows.common.EngramSearchAttributes;
import io.engram.workflows.common.TaskQueues;
import io.temporal.client.WorkflowOptions;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Deletes one collection whole ({@code DELETE /v1/collections/{name}}, {@code ./engram collections
 * delete}): marks it as being deleted, deletes its rows kind by kind in batches, then removes it.
 * Runs on task queue {@code maintenance}, beside the other batch SQL. It cannot be undone.
 */
@WorkflowInterface
public interface CollectionDeletionWorkflow {

  @WorkflowMethod
  CollectionDeletionResult delete(String collection);

  /** Where the deletion stands: the kind being deleted and the rows deleted so far. */
  @QueryMethod
  CollectionDeletionProgress progress();

  /**
   * One deletion per collection at a time: the id is the collection key's, so a second request
   * while one runs attaches to it. A collection created again under the same name later is deleted
   * by a new run of the same id.
   */
  static String workflowId(String collection) {
    return "delete-collection-" + collection;
  }

  /** How every client starts a deletion: its id, task queue {@code maintenance}, the collection. */
  static WorkflowOptions startOptions(String collection) {
    return WorkflowOptions.newBuilder()
        .setWorkflowId(workflowId(collection))
        .setTaskQueue(TaskQueues.MAINTENANCE)
        .setTypedSearchAttributes(EngramSearchAttributes.ofCollection(collection))
        .build();
  }
}
