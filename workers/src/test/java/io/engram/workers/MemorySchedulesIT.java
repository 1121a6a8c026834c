package io.engram.workers;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.core.config.EngramSettings;
import io.engram.testing.EngramServices;
import io.engram.testing.EngramServicesExtension;
import io.engram.testing.TemporalDevServer;
import io.engram.testing.TestSettings;
import io.engram.workflows.common.EngramSearchAttributes;
import io.engram.workflows.common.TaskQueues;
import io.engram.workflows.memory.MaintenanceResult;
import io.engram.workflows.memory.MemoryJobs;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionMetadata;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleClientOptions;
import io.temporal.client.schedules.ScheduleDescription;
import io.temporal.client.schedules.ScheduleListDescription;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The memory lifecycle's Temporal Schedules on the real Temporal dev server (Schedules do not exist
 * in the time-skipping test server): registered by the worker at start, exactly once however often
 * it restarts, updated in place when the configuration changes, with an operator's pause kept, and
 * running their job on the worker when they fire.
 */
@EngramServices
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class MemorySchedulesIT {
  private static final String MODEL = "all-minilm-l6-v2-q";
  private static final List<String> IDS =
      List.of(
          "engram-promotion",
          "engram-salience",
          "engram-ttl-cleanup",
          "engram-session-cleanup",
          "engram-incremental-ingest");

  /** A server of its own: the test counts every schedule on it. */
  private TemporalDevServer temporal;

  private String database;
  private WorkflowServiceStubs service;
  private ScheduleClient schedules;
  private WorkflowClient client;

  @BeforeAll
  void setUp() {
    temporal = TemporalDevServer.start();
    database = EngramServicesExtension.postgres().createDatabase("memory_schedules_it");
    service =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(temporal.address()).build());
    schedules =
        ScheduleClient.newInstance(
            service, ScheduleClientOptions.newBuilder().setNamespace("default").build());
    client = WorkflowClient.newInstance(service);
  }

  @AfterAll
  void tearDown() {
    service.shutdown();
    temporal.close();
  }

  /** Settings of a worker on this test's database and Temporal server, plus {@code extra}. */
  private EngramSettings settings(Map<String, String> extra) {
    Map<String, String> values = new java.util.HashMap<>(extra);
    values.put("TEMPORAL_ADDRESS", temporal.address());
    // The test counts the memory schedules; the training capability's schedules are left out.
    values.putIfAbsent("ENGRAM_SCHEDULE_DRIFT_ENABLED", "false");
    values.putIfAbsent("ENGRAM_SCHEDULE_RETRAIN_ENABLED", "false");
    values.putIfAbsent("ENGRAM_SCHEDULE_INDEX_RETENTION_ENABLED", "false");
    return EngramSettings.of(TestSettings.values(database, values));
  }

  private void runWorker(Map<String, String> extra) throws Exception {
    EngramWorker.start(settings(extra)).close();
  }

  @Test
  void each_schedule_exists_exactly_once_across_restarts_and_keeps_an_operators_pause()
      throws Exception {
    runWorker(Map.of());
    assertThat(awaitListed(5)).containsOnlyKeys(IDS).allSatisfy((id, n) -> assertThat(n).isOne());

    ScheduleDescription promotion = schedules.getHandle("engram-promotion").describe();
    ScheduleActionStartWorkflow action =
        (ScheduleActionStartWorkflow) promotion.getSchedule().getAction();
    assertThat(action.getWorkflowType()).isEqualTo("PromotionWorkflow");
    assertThat(action.getOptions().getTaskQueue()).isEqualTo(TaskQueues.MAINTENANCE);
    assertThat(action.getOptions().getTypedSearchAttributes().get(EngramSearchAttributes.JOB_TYPE))
        .isEqualTo(MemoryJobs.PROMOTION);
    assertThat(action.getOptions().getStaticDetails()).contains("0 3 * * *", "citations > 5");
    List<Instant> next = promotion.getInfo().getNextActionTimes();
    assertThat(next).isNotEmpty();
    assertThat(next.get(0).toString()).endsWith("T03:00:00Z");

    schedules.getHandle("engram-promotion").pause("operator: checking thresholds");

    // Restart with the salience job every ten minutes instead of five.
    runWorker(Map.of("ENGRAM_SCHEDULE_SALIENCE_CRON", "*/10 * * * *"));
    runWorker(Map.of("ENGRAM_SCHEDULE_SALIENCE_CRON", "*/10 * * * *"));
    assertThat(awaitListed(5)).containsOnlyKeys(IDS).allSatisfy((id, n) -> assertThat(n).isOne());
    ScheduleDescription paused = schedules.getHandle("engram-promotion").describe();
    assertThat(paused.getSchedule().getState().isPaused()).isTrue();
    assertThat(paused.getSchedule().getState().getNote())
        .isEqualTo("operator: checking thresholds");
    ScheduleDescription salience = schedules.getHandle("engram-salience").describe();
    assertThat(
            ((ScheduleActionStartWorkflow) salience.getSchedule().getAction())
                .getOptions()
                .getStaticDetails())
        .contains("*/10 * * * *");
    List<Instant> times = salience.getInfo().getNextActionTimes();
    assertThat(Duration.between(times.get(0), times.get(1))).isEqualTo(Duration.ofMinutes(10));

    // A job switched off in the configuration loses its schedule; switched on, it comes back.
    runWorker(Map.of("ENGRAM_SCHEDULE_INCREMENTAL_INGEST_ENABLED", "false"));
    assertThat(awaitListed(4)).doesNotContainKey("engram-incremental-ingest");
    runWorker(Map.of());
    assertThat(awaitListed(5)).containsOnlyKeys(IDS).allSatisfy((id, n) -> assertThat(n).isOne());
    assertThat(
            schedules.getHandle("engram-promotion").describe().getSchedule().getState().isPaused())
        .isTrue();
  }

  @Test
  void a_triggered_schedule_runs_its_job_on_the_worker_filterable_by_job_type() throws Exception {
    EngramWorker worker = EngramWorker.start(settings(Map.of()));
    try {
      schedules.getHandle("engram-salience").trigger();
      WorkflowExecutionMetadata run =
          await(
              () ->
                  client
                      .listExecutions(
                          "EngramJobType = 'salience' AND ExecutionStatus = 'Completed'")
                      .findFirst()
                      .orElse(null));
      assertThat(run.getExecution().getWorkflowId()).startsWith("engram-salience-");
      assertThat(run.getWorkflowType()).isEqualTo("MaintenanceWorkflow");
      MaintenanceResult result =
          client
              .newUntypedWorkflowStub(
                  run.getExecution().getWorkflowId(),
                  java.util.Optional.of(run.getExecution().getRunId()),
                  java.util.Optional.empty())
              .getResult(MaintenanceResult.class);
      assertThat(result.job()).isEqualTo(MemoryJobs.SALIENCE);
      assertThat(result.phase()).isEqualTo("done");
      WorkflowExecution execution = run.getExecution();
      assertThat(
              client
                  .newUntypedWorkflowStub(execution.getWorkflowId())
                  .describe()
                  .getTypedSearchAttributes()
                  .get(EngramSearchAttributes.BATCH))
          .endsWith("Z");
    } finally {
      worker.close();
    }
  }

  /** Schedule ids listed by the server with how often each appears, once it lists {@code n}. */
  private Map<String, Long> awaitListed(int n) {
    // Listing reads the visibility store, which follows writes within a second or so.
    return Awaitility.await(n + " schedules listed")
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () ->
                schedules
                    .listSchedules()
                    .map(ScheduleListDescription::getScheduleId)
                    .collect(Collectors.groupingBy(Function.identity(), Collectors.counting())),
            listed -> listed.size() == n);
  }

  private interface Probe<T> {
    T get() throws Exception;
  }

  /** The probe's first non-null value. */
  private static <T> T await(Probe<T> probe) {
    return Awaitility.await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(300))
        .until(probe::get, Objects::nonNull);
  }
}
