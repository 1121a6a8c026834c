package io.engram.workflows.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.workflows.common.ActivityStubs;
import io.temporal.api.history.v1.ActivityTaskScheduledEventAttributes;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.Worker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The retention sweep asks its activity at the workflow clock's time (so a schedule's run and a
 * test with skipped time sweep alike), and its recorded history replays.
 */
@Timeout(60)
class IndexRetentionWorkflowTest {
  private static final String HISTORY = "histories/index-retention-sweep.json";

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow =
      TestWorkflowExtension.newBuilder()
          .setWorkflowTypes(IndexRetentionWorkflowImpl.class)
          .setDoNotStart(true)
          .build();

  /** Drops one index and remembers when it was asked. */
  static class Sweeps implements IndexRetentionActivities {
    final List<Long> askedAt = new ArrayList<>();

    @Override
    public List<DroppedIndex> dropExpired(long nowMillis) {
      askedAt.add(nowMillis);
      return List.of(new DroppedIndex("zoo", 3, 120, List.of(2), "rollout-zoo-v2"));
    }
  }

  private static List<DroppedIndex> sweep(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client, Sweeps sweeps) {
    worker.registerActivitiesImplementations(sweeps);
    env.start();
    // As if the schedule fired ten days after the environment's start.
    env.sleep(Duration.ofDays(10));
    return client
        .newWorkflowStub(
            IndexRetentionWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(IndexRetentionWorkflow.SCHEDULE_ID)
                .setTaskQueue(worker.getTaskQueue())
                .build())
        .sweep();
  }

  @Test
  void sweeps_at_the_workflow_clocks_time_and_returns_what_was_dropped(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    Sweeps sweeps = new Sweeps();
    long before = env.currentTimeMillis();

    List<DroppedIndex> dropped = sweep(env, worker, client, sweeps);

    assertThat(dropped)
        .containsExactly(new DroppedIndex("zoo", 3, 120, List.of(2), "rollout-zoo-v2"));
    assertThat(sweeps.askedAt)
        .singleElement()
        .satisfies(
            at -> assertThat(at).isGreaterThanOrEqualTo(before + Duration.ofDays(10).toMillis()));
  }

  @Test
  void sweeps_with_a_heartbeat_timeout_so_a_dead_worker_is_noticed_within_it(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    sweep(env, worker, client, new Sweeps());

    ActivityTaskScheduledEventAttributes scheduled =
        client.fetchHistory(IndexRetentionWorkflow.SCHEDULE_ID).getEvents().stream()
            .filter(HistoryEvent::hasActivityTaskScheduledEventAttributes)
            .map(HistoryEvent::getActivityTaskScheduledEventAttributes)
            .findFirst()
            .orElseThrow();
    com.google.protobuf.Duration heartbeat = scheduled.getHeartbeatTimeout();
    assertThat(Duration.ofSeconds(heartbeat.getSeconds(), heartbeat.getNanos()))
        .isEqualTo(ActivityStubs.BATCH_HEARTBEAT);
  }

  @Test
  void replays_a_recorded_sweep() throws Exception {
    WorkflowReplayer.replayWorkflowExecutionFromResource(HISTORY, IndexRetentionWorkflowImpl.class);
  }

  /** Records the history the replay test reads; run with {@code -Dengram.recordHistories=true}. */
  @Test
  @EnabledIfSystemProperty(named = "engram.recordHistories", matches = "true")
  void record(TestWorkflowEnvironment env, Worker worker, WorkflowClient client)
      throws IOException {
    sweep(env, worker, client, new Sweeps());
    Files.writeString(
        Path.of("src/test/resources").resolve(HISTORY),
        client.fetchHistory(IndexRetentionWorkflow.SCHEDULE_ID).toJson(true) + "\n");
  }
}
