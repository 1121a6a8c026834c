package io.engram.workers;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.core.CoreServices;
import io.engram.core.config.EngramSettings;
import io.engram.core.registry.ModelAliases;
import io.engram.core.registry.RegisteredVersion;
import io.engram.core.rollout.Rollout;
import io.engram.core.training.LabelledSet;
import io.engram.testing.EngramServices;
import io.engram.testing.EngramServicesExtension;
import io.engram.testing.TestSettings;
import io.engram.testing.ZooCorpus;
import io.engram.workflows.rollout.RolloutRequest;
import io.engram.workflows.rollout.RolloutResult;
import io.engram.workflows.rollout.RolloutSignal;
import io.engram.workflows.rollout.RolloutWorkflow;
import io.engram.workflows.training.RetrainingRequest;
import io.engram.workflows.training.RetrainingResult;
import io.engram.workflows.training.RetrainingWorkflow;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * {@code ENGRAM_ROLLOUT_AUTO_START} on the real Temporal dev server and PostgreSQL: a retraining
 * that stages its candidate starts that version's rollout by itself (trigger {@code staged}), and
 * the rollout runs on after the retraining has ended. The gates are opened wide so the pinned
 * candidate is staged whatever its figures; what is tested is the handover, not the judgement.
 */
@EngramServices
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class AutoRolloutIT {
  private static final String COLLECTION = "zoo-auto";

  private Map<String, String> values;
  private CoreServices core;
  private LabelledSet labelled;
  private WorkflowServiceStubs service;
  private WorkflowClient client;

  @BeforeAll
  void setUp() {
    Map<String, String> extra = new HashMap<>();
    extra.put("ENGRAM_ROLLOUT_AUTO_START", "true");
    extra.put("ENGRAM_GATE_MIN_NDCG", "0");
    extra.put("ENGRAM_GATE_EPSILON", "1");
    extra.put("ENGRAM_GATE_MIN_IMPROVEMENT", "0");
    extra.put("ENGRAM_GATE_P95_BUDGET_MS", "600000");
    extra.put("ENGRAM_SCHEDULE_RETRAIN_ENABLED", "false");
    extra.put("ENGRAM_SCHEDULE_DRIFT_ENABLED", "false");
    values =
        TestSettings.withTemporal(
            EngramServicesExtension.postgres().createDatabase("auto_rollout_it"), extra);
    core = CoreServices.open(EngramSettings.of(values), "it", 4);
    ZooCorpus.index(core, COLLECTION);
    labelled = ZooCorpus.labelled(core);
    service =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder()
                .setTarget(EngramSettings.of(values).temporal().address())
                .build());
    client = WorkflowClient.newInstance(service);
  }

  @AfterAll
  void tearDown() {
    core.close();
    service.shutdown();
  }

  @Test
  void a_staged_version_starts_its_own_rollout_which_outlives_the_retraining() throws Exception {
    try (EngramWorker worker = EngramWorker.start(EngramSettings.of(values))) {
      RetrainingResult retrained =
          client
              .newWorkflowStub(
                  RetrainingWorkflow.class, RetrainingWorkflow.startOptions(COLLECTION))
              .retrain(
                  new RetrainingRequest(
                      COLLECTION,
                      RetrainingRequest.MANUAL,
                      true,
                      new io.engram.workflows.training.LabelledSet(
                          labelled.dataset(),
                          labelled.split(),
                          labelled.queriesBlob(),
                          labelled.qrelsBlob()),
                      Map.of("mode", "dense", "reranker", "none")));

      assertThat(retrained.outcome())
          .as("gates: %s", retrained.gates())
          .isEqualTo(RetrainingResult.STAGED);
      assertThat(retrained.version()).isEqualTo(2);
      String id = RolloutWorkflow.workflowId(COLLECTION, 2);
      assertThat(retrained.rollout()).isEqualTo(id);
      assertThat(core.registry().find(COLLECTION, 2).orElseThrow().aliases())
          .contains(ModelAliases.STAGING);

      // The retraining has ended; its rollout runs, and says what started it.
      Rollout rollout =
          Awaitility.await()
              .atMost(Duration.ofMinutes(1))
              .pollInterval(Duration.ofMillis(200))
              .until(
                  () -> core.rollouts().rollouts().running(COLLECTION).orElse(null),
                  r -> r != null);
      assertThat(rollout.workflowId()).isEqualTo(id);
      assertThat(rollout.candidate().number()).isEqualTo(2);
      assertThat(rollout.start().trigger()).isEqualTo(RolloutRequest.STAGED);
      assertThat(rollout.start().actor()).isEqualTo(RetrainingWorkflow.workflowId(COLLECTION));
      assertThat(rollout.routing().phase()).isEqualTo("shadow");

      client
          .newWorkflowStub(RolloutWorkflow.class, id)
          .abort(new RolloutSignal("it", "the handover is what was tested"));
      RolloutResult result = client.newUntypedWorkflowStub(id).getResult(RolloutResult.class);
      assertThat(result.decision()).isEqualTo(RolloutResult.ROLLED_BACK);
      assertThat(core.registry().find(COLLECTION, 2).orElseThrow().status())
          .isEqualTo(RegisteredVersion.ARCHIVED);
    }
  }
}
