package io.engram.workflows.common;

import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import java.util.List;
import java.util.Optional;

/**
 * What the histories say of a child a workflow started: the child's input and the close policy its
 * parent gave it. Read from Temporal rather than from the child's code, which may not have run its
 * first task yet when the parent returns.
 */
public final class ChildStartsSeen {
  private ChildStartsSeen() {}

  /** The input workflow {@code workflowId} was started with. */
  public static <T> T input(WorkflowClient client, String workflowId, Class<T> type) {
    HistoryEvent first = client.fetchHistory(workflowId).getEvents().get(0);
    return client
        .getOptions()
        .getDataConverter()
        .fromPayloads(
            0,
            Optional.of(first.getWorkflowExecutionStartedEventAttributes().getInput()),
            type,
            type);
  }

  /** The ids of the children {@code parentId} started, in order. */
  public static List<String> ids(WorkflowClient client, String parentId) {
    return client.fetchHistory(parentId).getEvents().stream()
        .filter(HistoryEvent::hasStartChildWorkflowExecutionInitiatedEventAttributes)
        .map(e -> e.getStartChildWorkflowExecutionInitiatedEventAttributes().getWorkflowId())
        .toList();
  }

  /** The close policy {@code parentId} started child {@code childId} with. */
  public static ParentClosePolicy policy(WorkflowClient client, String parentId, String childId) {
    return client.fetchHistory(parentId).getEvents().stream()
        .filter(HistoryEvent::hasStartChildWorkflowExecutionInitiatedEventAttributes)
        .map(HistoryEvent::getStartChildWorkflowExecutionInitiatedEventAttributes)
        .filter(a -> a.getWorkflowId().equals(childId))
        .map(a -> a.getParentClosePolicy())
        .findFirst()
        .orElseThrow(() -> new AssertionError(parentId + " started no child " + childId));
  }
}
