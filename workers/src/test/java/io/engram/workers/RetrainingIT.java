package io.engram.workers;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.core.CoreServices;
import io.engram.core.config.EngramSettings;
import io.engram.core.registry.ModelAliases;
import io.engram.core.registry.RegisteredVersion;
import io.engram.core.training.LabelledSet;
import io.engram.core.tuning.Study;
import io.engram.core.tuning.Trial;
import io.engram.core.tuning.TrialState;
import io.engram.testing.EngramServices;
import io.engram.testing.EngramServicesExtension;
import io.engram.testing.TestSettings;
import io.engram.testing.ZooCorpus;
import io.engram.workflows.training.RetrainingProgress;
import io.engram.workflows.training.RetrainingRequest;
import io.engram.workflows.training.RetrainingResult;
import io.engram.workflows.training.RetrainingWorkflow;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The retraining end to end on the real Temporal dev server and PostgreSQL: a search, the held-out
 * evaluations as child workflows, the gates and the registry; the second run that finds nothing
 * new; and a worker killed with SIGKILL in the middle of the search, replaced by another that
 * finishes it with every trial recorded once.
 */
@EngramServices
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class RetrainingIT {
  private static final String COLLECTION = "zoo";

  /** Enough trials, one at a time, that a search lasts long enough to be killed in. */
  private static final int TRIALS = 40;

  private Map<String, String> values;
  private CoreServices core;
  private LabelledSet labelled;
  private WorkflowServiceStubs service;
  private WorkflowClient client;

  @BeforeAll
  void setUp() {
    Map<String, String> extra = new HashMap<>();
    extra.put("ENGRAM_RETRAIN_TRIALS", String.valueOf(TRIALS));
    extra.put("ENGRAM_RETRAIN_PATIENCE", String.valueOf(TRIALS));
    extra.put("ENGRAM_RETRAIN_MIN_TRIALS", String.valueOf(TRIALS));
    extra.put("ENGRAM_RETRAIN_PARALLELISM", "1");
    // The test starts every retraining itself.
    extra.put("ENGRAM_SCHEDULE_RETRAIN_ENABLED", "false");
    extra.put("ENGRAM_SCHEDULE_DRIFT_ENABLED", "false");
    values =
        TestSettings.withTemporal(
            EngramServicesExtension.postgres().createDatabase("retraining_it"), extra);
    EngramSettings settings = EngramSettings.of(values);
    core = CoreServices.open(settings, "it", 4);
    ZooCorpus.index(core, COLLECTION);
    labelled = ZooCorpus.labelled(core);
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

  private RetrainingWorkflow retraining() {
    return client.newWorkflowStub(
        RetrainingWorkflow.class, RetrainingWorkflow.startOptions(COLLECTION));
  }

  private RetrainingRequest request(boolean force, LabelledSet l) {
    return new RetrainingRequest(
        COLLECTION,
        RetrainingRequest.MANUAL,
        force,
        l == null
            ? null
            : new io.engram.workflows.training.LabelledSet(
                l.dataset(), l.split(), l.queriesBlob(), l.qrelsBlob()),
        Map.of());
  }

  @Test
  @Order(1)
  void a_retraining_searches_registers_and_gates_a_version_then_finds_nothing_new()
      throws Exception {
    RetrainingResult first;
    try (EngramWorker worker = EngramWorker.start(EngramSettings.of(values))) {
      first = retraining().retrain(request(false, labelled));

      assertThat(first.reason()).isEqualTo("data_changed");
      assertThat(first.outcome()).isIn(RetrainingResult.STAGED, RetrainingResult.REJECTED);
      assertThat(first.version()).isEqualTo(2);
      assertThat(first.gates())
          .extracting(RetrainingResult.Gate::name)
          .containsExactly(
              "ndcg_floor",
              "not_worse_than_champion",
              "improves_on_champion",
              "recall_at_100_not_lower",
              "p95_latency_within_budget",
              "champion_unchanged");
      RegisteredVersion v2 = core.registry().find(COLLECTION, 2).orElseThrow();
      assertThat(v2.gates()).hasSize(6);
      assertThat(v2.metrics()).containsKey(labelled.heldOutEvalSet());
      assertThat(v2.lineage()).containsKeys("fingerprint", "studyId", "parentVersion");
      assertThat(v2.aliases().contains(ModelAliases.STAGING))
          .isEqualTo(first.outcome().equals(RetrainingResult.STAGED));
      Study study =
          core.retraining()
              .studies()
              .byId(((Number) v2.lineage().get("studyId")).longValue())
              .orElseThrow();
      assertThat(study.trials()).hasSize(TRIALS);

      // Nothing changed since: the decision ends the run, and no version is added.
      RetrainingResult second = retraining().retrain(request(false, null));
      assertThat(second.outcome()).isEqualTo(RetrainingResult.NO_OP);
      assertThat(second.reason()).isEqualTo("model_still_valid");
      assertThat(core.registry().list(COLLECTION)).hasSize(2);
    }
  }

  @Test
  @Order(2)
  void a_worker_killed_mid_search_is_replaced_and_every_trial_is_recorded_once() throws Exception {
    Process first = WorkerProcesses.start(values);
    Process second = null;
    try {
      RetrainingWorkflow workflow = retraining();
      String runId = WorkflowClient.start(workflow::retrain, request(true, null)).getRunId();
      String studyKey = RetrainingWorkflow.workflowId(COLLECTION) + "/" + runId;
      Awaitility.await()
          .atMost(Duration.ofMinutes(4))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> finishedTrials(studyKey) >= 3);
      first.destroyForcibly().waitFor();
      int atKill = finishedTrials(studyKey);
      assertThat(atKill).as("killed in the middle of the search").isBetween(3, TRIALS - 1);

      second = WorkerProcesses.start(values);
      RetrainingResult result =
          client
              .newUntypedWorkflowStub(RetrainingWorkflow.workflowId(COLLECTION))
              .getResult(RetrainingResult.class);

      assertThat(result.reason()).isEqualTo("force");
      assertThat(result.outcome()).isIn(RetrainingResult.STAGED, RetrainingResult.REJECTED);
      Study study = core.retraining().studies().byWorkflowId(studyKey).orElseThrow();
      List<Trial> trials = study.trials();
      // Every trial the search started is there once, finished; none is lost or left running.
      assertThat(trials).extracting(Trial::number).containsExactlyElementsOf(range(TRIALS));
      assertThat(trials).allMatch(t -> t.state() != TrialState.RUNNING);
      RetrainingProgress progress =
          client
              .newWorkflowStub(RetrainingWorkflow.class, RetrainingWorkflow.workflowId(COLLECTION))
              .progress();
      assertThat(progress.trials()).isEqualTo(TRIALS);
      // One completed trial activity per trial number: the one running at the kill was retried,
      // not run again beside its first attempt.
      WorkflowExecutionHistory history =
          client.fetchHistory(RetrainingWorkflow.workflowId(COLLECTION), runId);
      long completedTrials =
          history.getEvents().stream()
              .filter(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED)
              .filter(e -> activityType(history, e).equals("RetrainRunTrial"))
              .count();
      assertThat(completedTrials).isEqualTo(TRIALS);
    } finally {
      first.destroyForcibly();
      if (second != null) {
        second.destroy();
        second.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  private static List<Integer> range(int n) {
    return java.util.stream.IntStream.range(0, n).boxed().toList();
  }

  private static String activityType(WorkflowExecutionHistory history, HistoryEvent completed) {
    long scheduled = completed.getActivityTaskCompletedEventAttributes().getScheduledEventId();
    return history.getEvents().stream()
        .filter(e -> e.getEventId() == scheduled)
        .findFirst()
        .map(e -> e.getActivityTaskScheduledEventAttributes().getActivityType().getName())
        .orElse("");
  }

  private int finishedTrials(String studyKey) {
    Optional<Study> study = core.retraining().studies().byWorkflowId(studyKey);
    return study
        .map(s -> (int) s.trials().stream().filter(t -> t.state() != TrialState.RUNNING).count())
        .orElse(0);
  }
}
