package io.engram.workflows.collection;

import static org.mockito.Mockito.when;

import io.temporal.client.WorkflowClient;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Records the histories {@link CollectionDeletionWorkflowReplayTest} replays. Off by default; run
 * it after a deliberate, versioned change to the deletion workflow with {@code
 * -Dengram.recordHistories=true} and check the new files in.
 */
@Timeout(60)
@EnabledIfSystemProperty(named = "engram.recordHistories", matches = "true")
class RecordCollectionDeletionHistoriesTest {

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow = CollectionDeletionWorkflowTest.extension();

  private static final Path DIR = Path.of("src/test/resources/histories");

  @Test
  void deletion_with_a_purge_retried(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) throws IOException {
    CollectionDeletionActivities activities = CollectionDeletionWorkflowTest.mockActivities();
    when(activities.begin("notes")).thenReturn(List.of("turns", "sessions", "chunks", "documents"));
    when(activities.purge("notes", "turns")).thenReturn(12L);
    when(activities.purge("notes", "sessions")).thenReturn(3L);
    when(activities.purge("notes", "chunks"))
        .thenThrow(new IllegalStateException("the worker lost its database connection"))
        .thenReturn(1200L);
    when(activities.purge("notes", "documents")).thenReturn(30L);
    when(activities.finish("notes")).thenReturn(true);
    worker.registerActivitiesImplementations(activities);
    env.start();

    CollectionDeletionWorkflowTest.stub(client, worker, "notes").delete("notes");

    Files.createDirectories(DIR);
    Files.writeString(
        DIR.resolve("collection-deletion-purge-retried.json"),
        client.fetchHistory(CollectionDeletionWorkflow.workflowId("notes")).toJson(true) + "\n");
  }
}
