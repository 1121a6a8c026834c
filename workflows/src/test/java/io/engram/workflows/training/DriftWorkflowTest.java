package io.engram.workflows.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import io.engram.workflows.common.ChildStartsSeen;
import io.engram.workflows.common.EngramSearchAttributes;
import io.engram.workflows.common.TaskQueues;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@Timeout(60)
class DriftWorkflowTest {

  @RegisterExtension static final TestWorkflowExtension testWorkflow = extension();

  /**
   * The drift workflow and a stand-in retraining on the training queue, search attributes known.
   */
  static TestWorkflowExtension extension() {
    TestWorkflowExtension.Builder builder =
        TestWorkflowExtension.newBuilder()
            .setWorkflowTypes(DriftWorkflowImpl.class, FakeRetraining.class)
            .setDoNotStart(true);
    for (Map.Entry<String, IndexedValueType> a : EngramSearchAttributes.ALL.entrySet()) {
      builder.registerSearchAttribute(a.getKey(), a.getValue());
    }
    return builder.build();
  }

  /** The drift workflow, a stand-in retraining and {@code activities} on task queue training. */
  static void onTraining(TestWorkflowEnvironment env, DriftActivities activities) {
    Worker training = env.newWorker(TaskQueues.TRAINING);
    training.registerWorkflowImplementationTypes(DriftWorkflowImpl.class, FakeRetraining.class);
    training.registerActivitiesImplementations(activities);
  }

  static DriftActivities mockActivities() {
    return mock(DriftActivities.class, withSettings().withoutAnnotations());
  }

  static DriftCheck check(String collection, long id, Boolean drift, String status) {
    return new DriftCheck(collection, id, "bge-small-en-v1.5-q-c1024-o200", drift, status);
  }

  static DriftWorkflow workflow(WorkflowClient client, String id) {
    return client.newWorkflowStub(
        DriftWorkflow.class,
        WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(TaskQueues.TRAINING).build());
  }

  @Test
  void checks_every_collection_and_retrains_only_those_that_drift(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    DriftActivities activities = mockActivities();
    when(activities.collections()).thenReturn(List.of("a", "b", "c"));
    when(activities.check(eq("a"), anyString())).thenReturn(check("a", 1, true, "drift"));
    when(activities.check(eq("b"), anyString())).thenReturn(check("b", 2, false, "moderate"));
    when(activities.check(eq("c"), anyString()))
        .thenReturn(check("c", 3, null, "insufficient_data"));
    onTraining(env, activities);
    env.start();

    DriftWorkflow drift = workflow(client, "engram-drift-1");
    DriftSummary summary = drift.check(DriftRequest.scheduled());

    assertThat(summary.collections())
        .extracting(DriftSummary.Checked::retraining)
        .containsExactly(DriftSummary.STARTED, null, null);
    assertThat(summary.collections())
        .extracting(c -> c.check().reportId())
        .containsExactly(1L, 2L, 3L);
    String runId = WorkflowStub.fromTyped(drift).getExecution().getRunId();
    verify(activities).check("a", "engram-drift-1/" + runId + "/a");
    assertThat(
            ChildStartsSeen.input(
                client, RetrainingWorkflow.workflowId("a"), RetrainingRequest.class))
        .isEqualTo(new RetrainingRequest("a", RetrainingRequest.DRIFT, false, null, Map.of()));
    // The retraining outlives the check that started it, under its own id. (Read from the check's
    // history: the stand-in's own status depends on how far the test server skipped time.)
    assertThat(ChildStartsSeen.policy(client, "engram-drift-1", RetrainingWorkflow.workflowId("a")))
        .isEqualTo(ParentClosePolicy.PARENT_CLOSE_POLICY_ABANDON);
  }

  @Test
  void does_not_start_a_retraining_while_one_runs(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    DriftActivities activities = mockActivities();
    when(activities.collections()).thenReturn(List.of("a"));
    when(activities.check(eq("a"), anyString())).thenReturn(check("a", 1, true, "drift"));
    onTraining(env, activities);
    env.start();
    RetrainingWorkflow running =
        client.newWorkflowStub(RetrainingWorkflow.class, RetrainingWorkflow.startOptions("a"));
    WorkflowClient.start(
        running::retrain,
        new RetrainingRequest("a", RetrainingRequest.SCHEDULE, false, null, Map.of()));

    DriftSummary summary = workflow(client, "engram-drift-2").check(DriftRequest.scheduled());

    assertThat(summary.collections().get(0).retraining()).isEqualTo(DriftSummary.ALREADY_RUNNING);
    assertThat(
            ChildStartsSeen.input(
                    client, RetrainingWorkflow.workflowId("a"), RetrainingRequest.class)
                .trigger())
        .isEqualTo(RetrainingRequest.SCHEDULE);
  }

  @Test
  void a_named_collection_is_checked_alone_and_only_reported_unless_asked_to_retrain(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    DriftActivities activities = mockActivities();
    when(activities.check(eq("a"), anyString())).thenReturn(check("a", 1, true, "drift"));
    onTraining(env, activities);
    env.start();

    DriftSummary summary = workflow(client, "engram-drift-3").check(new DriftRequest("a", false));

    assertThat(summary.collections()).hasSize(1);
    assertThat(summary.collections().get(0).retraining()).isNull();
    assertThat(summary.collections().get(0).check().drift()).isTrue();
    verify(activities, never()).collections();
    verify(activities, times(1)).check(eq("a"), anyString());
    assertThat(client.fetchHistory("engram-drift-3").getEvents())
        .noneMatch(HistoryEvent::hasStartChildWorkflowExecutionInitiatedEventAttributes);
  }
}
