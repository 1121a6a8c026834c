package io.engram.workflows.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import io.engram.workflows.common.EngramSearchAttributes;
import io.engram.workflows.common.TaskQueues;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import io.temporal.common.interceptors.WorkerInterceptorBase;
import io.temporal.common.interceptors.WorkflowInboundCallsInterceptor;
import io.temporal.common.interceptors.WorkflowInboundCallsInterceptorBase;
import io.temporal.common.interceptors.WorkflowOutboundCallsInterceptor;
import io.temporal.common.interceptors.WorkflowOutboundCallsInterceptorBase;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactoryOptions;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A {@code turnsAdded} signal that arrives with the idle timeout: the timer and the signal land in
 * the same workflow task, so the idle wait reports the timeout although turns wait to be distilled.
 * The race is made exact with an interceptor that sends the signal from inside the workflow task in
 * which the idle timer fired: Temporal refuses that task's completion because of the new signal,
 * and the next task delivers the timer and the signal together.
 */
@Timeout(60)
class DistillationIdleTimeoutTest {

  /** Run once, in the workflow task where an idle wait first ends by its timer. */
  private static final AtomicReference<Runnable> AT_IDLE_TIMEOUT = new AtomicReference<>();

  @RegisterExtension static final TestWorkflowExtension testWorkflow = extension();

  private static TestWorkflowExtension extension() {
    TestWorkflowExtension.Builder builder =
        TestWorkflowExtension.newBuilder()
            .setWorkflowTypes(DistillationWorkflowImpl.class)
            .setWorkerFactoryOptions(
                WorkerFactoryOptions.newBuilder()
                    .setWorkerInterceptors(new SignalAtIdleTimeout())
                    .build())
            .setDoNotStart(true);
    for (Map.Entry<String, IndexedValueType> a : EngramSearchAttributes.ALL.entrySet()) {
      builder.registerSearchAttribute(a.getKey(), a.getValue());
    }
    return builder.build();
  }

  /** Calls {@link #AT_IDLE_TIMEOUT} when a timed wait of the workflow ends by its timeout. */
  private static final class SignalAtIdleTimeout extends WorkerInterceptorBase {
    @Override
    public WorkflowInboundCallsInterceptor interceptWorkflow(WorkflowInboundCallsInterceptor next) {
      return new WorkflowInboundCallsInterceptorBase(next) {
        @Override
        public void init(WorkflowOutboundCallsInterceptor outbound) {
          super.init(
              new WorkflowOutboundCallsInterceptorBase(outbound) {
                @Override
                public boolean await(
                    Duration timeout, String reason, Supplier<Boolean> unblockCondition) {
                  boolean woken = super.await(timeout, reason, unblockCondition);
                  Runnable hook = woken ? null : AT_IDLE_TIMEOUT.getAndSet(null);
                  if (hook != null) {
                    hook.run();
                  }
                  return woken;
                }
              });
        }
      };
    }
  }

  private static DistillationWorkflow signalWithStart(
      WorkflowClient client, Worker worker, long turn) {
    return MemoryWorkflowsTest.signalWithStart(client, worker, "s-1", turn);
  }

  @Test
  void turns_signalled_as_the_idle_timeout_fires_are_distilled_before_the_run_ends(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) throws IOException {
    DistillationActivities distillation =
        mock(DistillationActivities.class, withSettings().withoutAnnotations());
    when(distillation.pendingTurns("s-1", SessionDistillation.BATCH_TURNS))
        .thenReturn(List.of(1L, 2L))
        .thenReturn(List.of(3L, 4L));
    when(distillation.distill(eq("s-1"), eq(List.of(1L, 2L)), anyLong()))
        .thenReturn(new DistillationBatchResult(2, List.of(1L), List.of(), List.of(), "l", false));
    when(distillation.distill(eq("s-1"), eq(List.of(3L, 4L)), anyLong()))
        .thenReturn(new DistillationBatchResult(4, List.of(2L), List.of(), List.of(), "l", false));
    worker.registerActivitiesImplementations(distillation);
    env.newWorker(TaskQueues.LLM).registerActivitiesImplementations(distillation);
    env.start();
    // A client may not be called from a workflow thread: the signal goes from another thread,
    // and the workflow task waits until the server has it.
    AT_IDLE_TIMEOUT.set(
        () ->
            CompletableFuture.runAsync(
                    () ->
                        client
                            .newUntypedWorkflowStub(DistillationWorkflow.workflowId("s-1"))
                            .signal("turnsAdded", 4L))
                .join());

    DistillationSummary summary =
        WorkflowStub.fromTyped(signalWithStart(client, worker, 2))
            .getResult(DistillationSummary.class);
    if (Boolean.getBoolean("engram.recordHistories")) {
      // For MemoryWorkflowReplayTest, as RecordMemoryHistoriesTest records the others.
      RecordMemoryHistoriesTest.write(
          client, DistillationWorkflow.workflowId("s-1"), "distillation-turns-at-idle-timeout");
    }

    assertThat(AT_IDLE_TIMEOUT.get()).as("the signal was sent at the idle timeout").isNull();
    verify(distillation).distill(eq("s-1"), eq(List.of(3L, 4L)), anyLong());
    assertThat(summary.distilledUpTo()).isEqualTo(4);
    assertThat(summary.batches()).isEqualTo(2);
    assertThat(summary.factIds()).containsExactly(1L, 2L);
  }
}
