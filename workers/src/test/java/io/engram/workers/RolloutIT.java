package io.engram.workers;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.core.CoreServices;
import io.engram.core.config.EngramSettings;
import io.engram.core.query.ExchangeListener;
import io.engram.core.query.QueryResult;
import io.engram.core.query.Question;
import io.engram.core.registry.RegisteredVersion;
import io.engram.core.rollout.Rollout;
import io.engram.core.rollout.RolloutEvents;
import io.engram.core.rollout.RolloutRouter;
import io.engram.core.tenant.Tenant;
import io.engram.testing.EngramServices;
import io.engram.testing.EngramServicesExtension;
import io.engram.testing.TestSettings;
import io.engram.testing.ZooCorpus;
import io.engram.workflows.rollout.PlanOverrides;
import io.engram.workflows.rollout.RolloutRequest;
import io.engram.workflows.rollout.RolloutResult;
import io.engram.workflows.rollout.RolloutSignal;
import io.engram.workflows.rollout.RolloutStatus;
import io.engram.workflows.rollout.RolloutWorkflow;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.temporal.api.enums.v1.EventType;
import io.temporal.client.WorkflowClient;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * A rollout on the real Temporal dev server survives its worker and its API: a worker process
 * killed with SIGKILL in the middle of a canary step is replaced, and an API process (here: core's
 * router over a fresh {@link CoreServices}) started anew routes every conversation as before; the
 * rollout goes on in the same phase and step, records each move once, and takes an abort.
 */
@EngramServices
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class RolloutIT {
  private static final String COLLECTION = "zoo-canary";

  private Map<String, String> values;
  private CoreServices core;
  private WorkflowServiceStubs service;
  private WorkflowClient client;

  @BeforeAll
  void setUp() {
    Map<String, String> extra = new HashMap<>();
    extra.put("ENGRAM_ROLLOUT_ROUTING_TTL_MS", "0");
    extra.put("ENGRAM_SCHEDULE_RETRAIN_ENABLED", "false");
    extra.put("ENGRAM_SCHEDULE_DRIFT_ENABLED", "false");
    values =
        TestSettings.withTemporal(
            EngramServicesExtension.postgres().createDatabase("rollout_it"), extra);
    EngramSettings settings = EngramSettings.of(values);
    core = CoreServices.open(settings, "it", 4);
    ZooCorpus.indexWithStagedCandidate(core, COLLECTION);
    service =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder()
                .setTarget(settings.temporal().address())
                .build());
    client = WorkflowClient.newInstance(service);
  }

  @AfterAll
  void tearDown() {
    core.close();
    service.shutdown();
  }

  private static QueryResult ask(RolloutRouter router, UUID session, int i) {
    return router.ask(
        new Question(
            Tenant.DEFAULT,
            ZooCorpus.question(i),
            session,
            session == null ? COLLECTION : null,
            5,
            true));
  }

  private Rollout running() {
    return core.rollouts().rollouts().running(COLLECTION).orElseThrow();
  }

  @Test
  void a_worker_killed_mid_canary_and_a_restarted_api_change_neither_phase_nor_routing()
      throws Exception {
    Process first = WorkerProcesses.start(values);
    Process second = null;
    RolloutRouter router = core.rolloutRouter(new SimpleMeterRegistry(), ExchangeListener.NONE);
    try {
      RolloutWorkflow workflow =
          client.newWorkflowStub(
              RolloutWorkflow.class, RolloutWorkflow.startOptions(COLLECTION, 2));
      // Shadow passes after a few comparisons; the first canary step then bakes for an hour.
      PlanOverrides plan =
          new PlanOverrides(
              1.0,
              3,
              0L,
              List.of(0.3, 0.6),
              3_600_000L,
              1,
              0.3,
              null,
              null,
              null,
              null,
              null,
              null,
              3_600_000L,
              300L);
      String runId =
          WorkflowClient.start(
                  workflow::rollOut,
                  new RolloutRequest(
                      COLLECTION, 2, RolloutRequest.MANUAL, "it", "surviving a kill", plan))
              .getRunId();
      Awaitility.await()
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                ask(router, null, (int) (System.nanoTime() % 50));
                return core.rollouts().rollouts().running(COLLECTION).isPresent()
                    && running().routing().phase().equals("canary");
              });
      Map<UUID, String> arms = new LinkedHashMap<>();
      for (int i = 0; i < 20; i++) {
        UUID session = core.workingMemory().createSession(COLLECTION, null);
        arms.put(session, ask(router, session, i).arm());
      }
      assertThat(arms.values()).contains("candidate", "champion");

      first.destroyForcibly().waitFor();
      // An API process started anew: its own pool, pipelines and router, the same database.
      try (CoreServices restarted = CoreServices.open(EngramSettings.of(values), "it-api", 2)) {
        RolloutRouter fresh =
            restarted.rolloutRouter(new SimpleMeterRegistry(), ExchangeListener.NONE);
        int i = 0;
        for (Map.Entry<UUID, String> e : arms.entrySet()) {
          assertThat(ask(fresh, e.getKey(), i++).arm()).isEqualTo(e.getValue());
        }
      }
      second = WorkerProcesses.start(values);
      RolloutStatus status =
          Awaitility.await()
              .atMost(Duration.ofMinutes(2))
              .ignoreExceptions()
              .until(workflow::status, s -> s != null && s.rolloutId() != null);
      assertThat(status.phase()).isEqualTo(RolloutStatus.CANARY);
      assertThat(status.step()).isEqualTo(1);
      Rollout r = running();
      assertThat(r.routing().phase()).isEqualTo("canary");
      assertThat(r.routing().step()).isEqualTo(1);
      assertThat(r.routing().candidateShare()).isEqualTo(0.3);

      workflow.abort(new RolloutSignal("it", "after the kill"));
      RolloutResult result =
          client
              .newUntypedWorkflowStub(RolloutWorkflow.workflowId(COLLECTION, 2))
              .getResult(RolloutResult.class);

      assertThat(result.decision()).isEqualTo(RolloutResult.ROLLED_BACK);
      assertThat(result.reason()).isEqualTo("aborted by it: after the kill");
      List<String> phases = new ArrayList<>();
      for (RolloutEvents.Event e : core.rollouts().events().list(r.id())) {
        if (e.kind().equals(RolloutEvents.PHASE)) {
          phases.add(e.phase());
        }
      }
      // Each move recorded once, however often its activity ran.
      assertThat(phases).containsExactly("shadow", "canary");
      // The move into the canary completed once: the new worker went on, it did not begin again.
      WorkflowExecutionHistory history =
          client.fetchHistory(RolloutWorkflow.workflowId(COLLECTION, 2), runId);
      assertThat(completed(history, "RolloutEnter")).isEqualTo(1);
      assertThat(completed(history, "RolloutBegin")).isEqualTo(1);
      assertThat(core.registry().find(COLLECTION, 2).orElseThrow().status())
          .isEqualTo(RegisteredVersion.ARCHIVED);
    } finally {
      first.destroyForcibly();
      if (second != null) {
        second.destroy();
        second.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  private static long completed(WorkflowExecutionHistory history, String activityType) {
    return history.getEvents().stream()
        .filter(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED)
        .filter(
            e ->
                history.getEvents().stream()
                    .filter(
                        s ->
                            s.getEventId()
                                == e.getActivityTaskCompletedEventAttributes()
                                    .getScheduledEventId())
                    .anyMatch(
                        s ->
                            s.getActivityTaskScheduledEventAttributes()
                                .getActivityType()
                                .getName()
                                .equals(activityType)))
        .count();
  }
}
