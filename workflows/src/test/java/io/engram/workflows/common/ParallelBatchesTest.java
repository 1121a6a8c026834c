package io.engram.workflows.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.temporal.activity.ActivityInterface;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import io.temporal.workflow.Async;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@Timeout(60)
class ParallelBatchesTest {

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow =
      TestWorkflowExtension.newBuilder()
          .setWorkflowTypes(CountingWorkflowImpl.class)
          .setDoNotStart(true)
          .build();

  @Test
  void covers_every_item_once_in_batches_of_the_given_size(
      TestWorkflowEnvironment testEnv, Worker worker, WorkflowClient client) {
    RecordingBatches batches = new RecordingBatches(BatchGate.open());
    worker.registerActivitiesImplementations(batches);
    testEnv.start();

    List<Integer> sizes = newWorkflow(client, worker).run(10, 4, 2);

    assertThat(batches.ranges).containsExactlyInAnyOrder("0-4", "4-8", "8-10");
    assertThat(sizes).containsExactlyInAnyOrder(4, 4, 2);
  }

  @Test
  void runs_no_batch_when_there_is_nothing_to_do(
      TestWorkflowEnvironment testEnv, Worker worker, WorkflowClient client) {
    RecordingBatches batches = new RecordingBatches(BatchGate.open());
    worker.registerActivitiesImplementations(batches);
    testEnv.start();

    assertThat(newWorkflow(client, worker).run(0, 4, 2)).isEmpty();
    assertThat(batches.ranges).isEmpty();
  }

  @Test
  void keeps_exactly_the_bound_in_flight(
      TestWorkflowEnvironment testEnv, Worker worker, WorkflowClient client) {
    RecordingBatches batches = new RecordingBatches(BatchGate.closed());
    worker.registerActivitiesImplementations(batches);
    testEnv.start();

    CountingWorkflow workflow = newWorkflow(client, worker);
    WorkflowClient.start(workflow::run, 50, 5, 3);
    batches.gate.releaseOneByOne(10, 3);

    assertThat(batches.gate.maxInFlight()).isEqualTo(3);
    assertThat(batches.ranges).hasSize(10);
  }

  @Test
  void hands_over_a_result_without_waiting_for_a_slower_batch(
      TestWorkflowEnvironment testEnv, Worker worker, WorkflowClient client) {
    SlowFirstBatch batches = new SlowFirstBatch();
    worker.registerActivitiesImplementations(batches);
    testEnv.start();

    CountingWorkflow workflow = newWorkflow(client, worker);
    WorkflowClient.start(workflow::run, 5, 3, 2);
    await().atMost(Duration.ofSeconds(30)).until(() -> workflow.finished() == 1);
    batches.release.countDown();

    assertThat(WorkflowStub.fromTyped(workflow).getResult(List.class)).containsExactly(2, 3);
  }

  @Test
  void a_failed_batch_fails_the_caller(
      TestWorkflowEnvironment testEnv, Worker worker, WorkflowClient client) {
    worker.registerActivitiesImplementations(
        (Batches)
            (from, to) -> {
              throw ApplicationFailure.newNonRetryableFailure("broken", "Broken");
            });
    testEnv.start();

    CountingWorkflow workflow = newWorkflow(client, worker);
    assertThrows(WorkflowFailedException.class, () -> workflow.run(10, 4, 2));
  }

  @Test
  void refuses_batches_that_could_never_finish() {
    assertThatThrownBy(() -> ParallelBatches.run(10, 0, 2, (from, to) -> null, result -> {}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ParallelBatches.run(10, 4, 0, (from, to) -> null, result -> {}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static CountingWorkflow newWorkflow(WorkflowClient client, Worker worker) {
    return client.newWorkflowStub(
        CountingWorkflow.class,
        WorkflowOptions.newBuilder()
            .setTaskQueue(worker.getTaskQueue())
            .setWorkflowId("parallel-batches-" + UUID.randomUUID())
            .build());
  }

  @ActivityInterface
  public interface Batches {
    /** The number of items in {@code [from, to)}. */
    int size(int from, int to);
  }

  @WorkflowInterface
  public interface CountingWorkflow {
    /** Runs the batches and returns their results in the order they were handed over. */
    @WorkflowMethod
    List<Integer> run(int total, int batchSize, int maxInFlight);

    @QueryMethod
    int finished();
  }

  public static class CountingWorkflowImpl implements CountingWorkflow {
    private final Batches batches =
        ActivityStubs.stub(Batches.class, Duration.ofMinutes(1), RetryPolicies.standard());
    private final List<Integer> results = new ArrayList<>();

    @Override
    public List<Integer> run(int total, int batchSize, int maxInFlight) {
      ParallelBatches.run(
          total,
          batchSize,
          maxInFlight,
          (from, to) -> Async.function(batches::size, from, to),
          results::add);
      return results;
    }

    @Override
    public int finished() {
      return results.size();
    }
  }

  /** Records every batch's range and passes it through a {@link BatchGate}. */
  public static final class RecordingBatches implements Batches {
    final List<String> ranges = new CopyOnWriteArrayList<>();
    final BatchGate gate;

    RecordingBatches(BatchGate gate) {
      this.gate = gate;
    }

    @Override
    public int size(int from, int to) {
      ranges.add(from + "-" + to);
      return gate.pass(() -> to - from);
    }
  }

  /** Holds the first batch until released; every other batch finishes at once. */
  public static final class SlowFirstBatch implements Batches {
    final CountDownLatch release = new CountDownLatch(1);

    @Override
    public int size(int from, int to) {
      if (from == 0) {
        try {
          if (!release.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the test never released the first batch");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
      return to - from;
    }
  }
}
