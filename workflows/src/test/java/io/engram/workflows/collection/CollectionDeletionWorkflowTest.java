package io.engram.workflows.collection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import io.engram.workflows.common.EngramSearchAttributes;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The deletion workflow over mocked activities: kinds are purged in the order the marking returned,
 * a purge that fails once is retried and the deletion goes on, the counts come back by kind; a
 * collection that is not there is not purged.
 */
@Timeout(60)
class CollectionDeletionWorkflowTest {

  @RegisterExtension static final TestWorkflowExtension testWorkflow = extension();

  static TestWorkflowExtension extension() {
    TestWorkflowExtension.Builder builder =
        TestWorkflowExtension.newBuilder()
            .setWorkflowTypes(CollectionDeletionWorkflowImpl.class)
            .setDoNotStart(true);
    for (Map.Entry<String, IndexedValueType> a : EngramSearchAttributes.ALL.entrySet()) {
      builder.registerSearchAttribute(a.getKey(), a.getValue());
    }
    return builder.build();
  }

  static CollectionDeletionActivities mockActivities() {
    return mock(CollectionDeletionActivities.class, withSettings().withoutAnnotations());
  }

  /** A stub of the deletion of {@code collection} on the test's task queue. */
  static CollectionDeletionWorkflow stub(WorkflowClient client, Worker worker, String collection) {
    return client.newWorkflowStub(
        CollectionDeletionWorkflow.class,
        WorkflowOptions.newBuilder(CollectionDeletionWorkflow.startOptions(collection))
            .setTaskQueue(worker.getTaskQueue())
            .build());
  }

  @Test
  void purges_kind_by_kind_resuming_a_purge_that_failed_once(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    CollectionDeletionActivities activities = mockActivities();
    when(activities.begin("acme~notes")).thenReturn(List.of("chunks", "documents"));
    when(activities.purge("acme~notes", "chunks"))
        .thenThrow(new IllegalStateException("the database is restarting"))
        .thenReturn(2500L);
    when(activities.purge("acme~notes", "documents")).thenReturn(40L);
    when(activities.finish("acme~notes")).thenReturn(true);
    worker.registerActivitiesImplementations(activities);
    env.start();

    CollectionDeletionWorkflow workflow = stub(client, worker, "acme~notes");
    CollectionDeletionResult result = workflow.delete("acme~notes");

    assertThat(result.removed()).isTrue();
    assertThat(result.deleted())
        .containsExactly(Map.entry("chunks", 2500L), Map.entry("documents", 40L));
    assertThat(workflow.progress())
        .isEqualTo(
            new CollectionDeletionProgress(
                CollectionDeletionProgress.DONE, null, result.deleted()));
    verify(activities, times(2)).purge("acme~notes", "chunks");
    verify(activities).finish("acme~notes");
  }

  @Test
  void a_collection_that_is_not_there_is_not_purged(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    CollectionDeletionActivities activities = mockActivities();
    when(activities.begin("gone")).thenReturn(List.of());
    worker.registerActivitiesImplementations(activities);
    env.start();

    CollectionDeletionResult result = stub(client, worker, "gone").delete("gone");

    assertThat(result).isEqualTo(new CollectionDeletionResult("gone", Map.of(), false));
    verify(activities, never()).purge(anyString(), anyString());
    verify(activities, never()).finish(anyString());
  }

  @Test
  void payloads_survive_the_default_data_converter() {
    Map<String, Long> deleted = new LinkedHashMap<>();
    deleted.put("chunks", 3L);
    deleted.put("documents", 1L);
    var converter = DefaultDataConverter.newDefaultInstance();
    CollectionDeletionResult result = new CollectionDeletionResult("notes", deleted, true);
    CollectionDeletionProgress progress =
        new CollectionDeletionProgress(CollectionDeletionProgress.DELETING, "documents", deleted);

    assertThat(
            converter.fromPayload(
                converter.toPayload(result).orElseThrow(),
                CollectionDeletionResult.class,
                CollectionDeletionResult.class))
        .isEqualTo(result);
    assertThat(
            converter.fromPayload(
                converter.toPayload(progress).orElseThrow(),
                CollectionDeletionProgress.class,
                CollectionDeletionProgress.class))
        .isEqualTo(progress);
  }
}
