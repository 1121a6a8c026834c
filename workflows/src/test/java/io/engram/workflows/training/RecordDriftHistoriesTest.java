package io.engram.workflows.training;

import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.when;

import io.temporal.client.WorkflowClient;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Records the history {@link DriftWorkflowReplayTest} replays, with scripted activities. Off by
 * default; run it after a deliberate, versioned change to the workflow with {@code
 * -Dengram.recordHistories=true} and check the new file in.
 */
@Timeout(60)
@EnabledIfSystemProperty(named = "engram.recordHistories", matches = "true")
class RecordDriftHistoriesTest {

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow = DriftWorkflowTest.extension();

  private static final Path DIR = Path.of("src/test/resources/histories");

  @Test
  void three_collections_one_drifting_one_already_retraining(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) throws IOException {
    DriftActivities activities = DriftWorkflowTest.mockActivities();
    when(activities.collections()).thenReturn(List.of("notes", "scifact", "tiny"));
    when(activities.check(eq("notes"), anyString()))
        .thenReturn(DriftWorkflowTest.check("notes", 11, true, "drift"));
    when(activities.check(eq("scifact"), anyString()))
        .thenReturn(DriftWorkflowTest.check("scifact", 12, true, "drift"));
    when(activities.check(eq("tiny"), anyString()))
        .thenReturn(DriftWorkflowTest.check("tiny", 13, null, "insufficient_data"));
    DriftWorkflowTest.onTraining(env, activities);
    env.start();
    RetrainingWorkflow running =
        client.newWorkflowStub(
            RetrainingWorkflow.class, RetrainingWorkflow.startOptions("scifact"));
    WorkflowClient.start(
        running::retrain,
        new RetrainingRequest("scifact", RetrainingRequest.SCHEDULE, false, null, Map.of()));

    String id = "engram-drift-2026-12-06T04:00:00Z";
    DriftWorkflowTest.workflow(client, id).check(DriftRequest.scheduled());

    Files.createDirectories(DIR);
    Files.writeString(
        DIR.resolve("drift-retraining-started-and-already-running.json"),
        client.fetchHistory(id).toJson(true) + "\n");
  }
}
