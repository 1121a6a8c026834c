package io.engram.activities.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.engram.core.memory.Distiller;
import io.engram.core.memory.MalformedExtractionException;
import io.engram.workflows.common.EngramSearchAttributes;
import io.engram.workflows.common.RetryPolicies;
import io.engram.workflows.common.TaskQueues;
import io.engram.workflows.memory.DistillationActivities;
import io.engram.workflows.memory.DistillationRequest;
import io.engram.workflows.memory.DistillationSummary;
import io.engram.workflows.memory.DistillationWorkflow;
import io.engram.workflows.memory.DistillationWorkflowImpl;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.BatchRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The distillation activity under the real workflow and its retry policy, with time skipping: a
 * model that keeps answering garbage gives the batch up after {@link
 * DistillationActivities#MALFORMED_ATTEMPTS} attempts; a database that keeps failing gives up
 * nothing.
 */
@Timeout(60)
class DistillationActivitiesImplTest {
  private static final UUID SESSION = UUID.fromString("7f7a0000-0000-4000-8000-000000000001");

  @RegisterExtension static final TestWorkflowExtension testWorkflow = extension();

  private static TestWorkflowExtension extension() {
    TestWorkflowExtension.Builder builder =
        TestWorkflowExtension.newBuilder()
            .setWorkflowTypes(DistillationWorkflowImpl.class)
            .setDoNotStart(true);
    for (Map.Entry<String, IndexedValueType> a : EngramSearchAttributes.ALL.entrySet()) {
      builder.registerSearchAttribute(a.getKey(), a.getValue());
    }
    return builder.build();
  }

  private final Distiller distiller = mock(Distiller.class);

  private DistillationSummary distil(TestWorkflowEnvironment env, Worker worker, WorkflowClient c) {
    DistillationActivitiesImpl activities =
        new DistillationActivitiesImpl(distiller, new MemoryMetrics(new SimpleMeterRegistry()));
    worker.registerActivitiesImplementations(activities);
    env.newWorker(TaskQueues.LLM).registerActivitiesImplementations(activities);
    env.start();
    DistillationWorkflow workflow =
        c.newWorkflowStub(
            DistillationWorkflow.class,
            DistillationWorkflow.startOptions(SESSION.toString()).toBuilder()
                .setTaskQueue(worker.getTaskQueue())
                .build());
    BatchRequest request = c.newSignalWithStartRequest();
    request.add(workflow::distill, DistillationRequest.of(SESSION.toString()));
    request.add(workflow::turnsAdded, 2L);
    c.signalWithStart(request);
    return WorkflowStub.fromTyped(workflow).getResult(DistillationSummary.class);
  }

  @Test
  void malformed_output_is_final_at_the_last_malformed_attempt_and_the_batch_recorded_failed(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) throws Exception {
    when(distiller.pendingTurns(eq(SESSION), anyInt()))
        .thenReturn(List.of(1L, 2L))
        .thenReturn(List.of());
    when(distiller.distill(eq(SESSION), anyList(), any()))
        .thenThrow(new MalformedExtractionException("the LLM's answer is not JSON"));

    DistillationSummary summary = distil(env, worker, client);

    verify(distiller, times(DistillationActivities.MALFORMED_ATTEMPTS))
        .distill(eq(SESSION), anyList(), any());
    verify(distiller)
        .recordFailure(eq(SESSION), eq(List.of(1L, 2L)), eq("the LLM's answer is not JSON"), any());
    assertThat(summary.failedBatches()).isEqualTo(1);
    assertThat(summary.distilledUpTo()).isEqualTo(2);
  }

  @Test
  void a_database_error_is_never_recorded_as_a_failed_batch(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) throws Exception {
    when(distiller.pendingTurns(eq(SESSION), anyInt())).thenReturn(List.of(1L, 2L));
    when(distiller.distill(eq(SESSION), anyList(), any()))
        .thenThrow(new IllegalStateException("connection refused: the database is restarting"));

    DistillationSummary summary = distil(env, worker, client);

    verify(distiller, times(RetryPolicies.standard().getMaximumAttempts()))
        .distill(eq(SESSION), anyList(), any());
    verify(distiller, never()).recordFailure(any(), anyList(), anyString(), any());
    assertThat(summary.failedBatches()).isZero();
    assertThat(summary.distilledUpTo()).isZero();
  }
}
