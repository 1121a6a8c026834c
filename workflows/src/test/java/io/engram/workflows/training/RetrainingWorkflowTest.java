package io.engram.workflows.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.workflows.common.ChildStartsSeen;
import io.engram.workflows.common.EngramSearchAttributes;
import io.engram.workflows.common.TaskQueues;
import io.engram.workflows.evaluation.EvaluationRequest;
import io.engram.workflows.ingestion.IngestionRequest;
import io.engram.workflows.rollout.RolloutRequest;
import io.engram.workflows.rollout.RolloutWorkflow;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.SearchAttributes;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The retraining workflow against scripted activities and evaluations, with time skipping. */
@Timeout(60)
class RetrainingWorkflowTest {

  @RegisterExtension static final TestWorkflowExtension testWorkflow = extension();

  static TestWorkflowExtension extension() {
    TestWorkflowExtension.Builder builder =
        TestWorkflowExtension.newBuilder()
            .setWorkflowTypes(RetrainingWorkflowImpl.class)
            .setDoNotStart(true);
    for (Map.Entry<String, IndexedValueType> a : EngramSearchAttributes.ALL.entrySet()) {
      builder.registerSearchAttribute(a.getKey(), a.getValue());
    }
    return builder.build();
  }

  /** A forced manual retraining of the scripted collection with {@code params} pinned. */
  static RetrainingRequest pinned(Map<String, String> params) {
    return new RetrainingRequest(
        ScriptedRetraining.COLLECTION, RetrainingRequest.MANUAL, true, null, params);
  }

  static final RetrainingRequest SEARCH =
      new RetrainingRequest(
          ScriptedRetraining.COLLECTION,
          RetrainingRequest.MANUAL,
          true,
          ScriptedRetraining.LABELLED,
          Map.of());

  private final ScriptedRetraining steps = new ScriptedRetraining();

  static RetrainingWorkflow start(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client, Object activities) {
    worker.registerActivitiesImplementations(activities);
    env.newWorker(TaskQueues.TRAINING)
        .registerWorkflowImplementationTypes(
            ScriptedRetraining.Evaluation.class, ScriptedRetraining.Rollout.class);
    env.newWorker(TaskQueues.INGEST)
        .registerWorkflowImplementationTypes(ScriptedRetraining.Rebuild.class);
    ScriptedRetraining.Rebuild.failed = 0;
    ScriptedRetraining.Rebuild.asked = null;
    env.start();
    return stub(client, worker, "retrain-" + ScriptedRetraining.COLLECTION);
  }

  static RetrainingWorkflow stub(WorkflowClient client, Worker worker, String id) {
    return client.newWorkflowStub(
        RetrainingWorkflow.class,
        WorkflowOptions.newBuilder()
            .setWorkflowId(id)
            .setTaskQueue(worker.getTaskQueue())
            .setTypedSearchAttributes(
                SearchAttributes.newBuilder()
                    .set(EngramSearchAttributes.COLLECTION, ScriptedRetraining.COLLECTION)
                    .build())
            .build());
  }

  @Test
  void a_model_still_valid_ends_at_the_decision_having_changed_nothing(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    steps.retrain = false;
    steps.reason = "model_still_valid";
    RetrainingWorkflow workflow = start(env, worker, client, steps);

    RetrainingResult result = workflow.retrain(SEARCH);

    assertThat(result.outcome()).isEqualTo(RetrainingResult.NO_OP);
    assertThat(result.reason()).isEqualTo("model_still_valid");
    assertThat(result.version()).isNull();
    assertThat(steps.calls).containsExactly("decide");
    assertThat(workflow.progress().phase()).isEqualTo(RetrainingProgress.DONE);
  }

  @Test
  void searches_registers_evaluates_both_and_stages_the_candidate(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    steps.trials = 6;
    RetrainingWorkflow workflow = start(env, worker, client, steps);

    RetrainingResult result = workflow.retrain(SEARCH);

    assertThat(result.outcome()).isEqualTo(RetrainingResult.STAGED);
    assertThat(result.version()).isEqualTo(2);
    assertThat(result.reason()).isEqualTo("force");
    assertThat(result.gates()).hasSize(2).allMatch(RetrainingResult.Gate::passed);
    assertThat(steps.count("trial ")).isEqualTo(6);
    assertThat(steps.maxInFlight.get()).isLessThanOrEqualTo(2);
    assertThat(steps.calls).contains("register 7 {}", "judge v2 runs 102,101");
    RetrainingProgress progress = workflow.progress();
    assertThat(progress.trials()).isEqualTo(6);
    assertThat(progress.best()).isEqualTo(0.65);
    assertThat(progress.studyId()).isEqualTo(ScriptedRetraining.STUDY);
    assertThat(progress.version()).isEqualTo(2);
  }

  @Test
  void a_staged_version_starts_its_rollout_when_the_profile_says_so(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    steps.startRollout = true;
    RetrainingWorkflow workflow = start(env, worker, client, steps);

    RetrainingResult result = workflow.retrain(SEARCH);

    assertThat(result.outcome()).isEqualTo(RetrainingResult.STAGED);
    assertThat(result.rollout()).isEqualTo("rollout-scifact-v2");
    RolloutRequest started =
        ChildStartsSeen.input(client, "rollout-scifact-v2", RolloutRequest.class);
    assertThat(started.collection()).isEqualTo(ScriptedRetraining.COLLECTION);
    assertThat(started.candidate()).isEqualTo(2);
    assertThat(started.trigger()).isEqualTo(RolloutRequest.STAGED);
    assertThat(started.actor()).isEqualTo("retrain-" + ScriptedRetraining.COLLECTION);
    assertThat(started.reason()).contains("force");
    // Abandoned: the rollout runs on after the retraining has ended.
    assertThat(ChildStartsSeen.policy(client, "retrain-scifact", "rollout-scifact-v2"))
        .isEqualTo(ParentClosePolicy.PARENT_CLOSE_POLICY_ABANDON);
  }

  @Test
  void a_rejected_version_starts_no_rollout(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    steps.startRollout = true;
    steps.gatesPass = false;
    RetrainingWorkflow workflow = start(env, worker, client, steps);

    RetrainingResult result = workflow.retrain(SEARCH);

    assertThat(result.outcome()).isEqualTo(RetrainingResult.REJECTED);
    assertThat(result.rollout()).isNull();
    assertThat(ChildStartsSeen.ids(client, "retrain-scifact"))
        .noneMatch(id -> id.startsWith("rollout-"));
  }

  @Test
  void a_staged_version_starts_no_rollout_unless_the_profile_says_so(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    RetrainingWorkflow workflow = start(env, worker, client, steps);

    RetrainingResult result = workflow.retrain(SEARCH);

    assertThat(result.outcome()).isEqualTo(RetrainingResult.STAGED);
    assertThat(result.rollout()).isNull();
    assertThat(ChildStartsSeen.ids(client, "retrain-scifact"))
        .noneMatch(id -> id.startsWith("rollout-"));
  }

  @Test
  void a_rollout_of_the_version_running_already_is_left_to_run(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    steps.startRollout = true;
    RetrainingWorkflow workflow = start(env, worker, client, steps);
    RolloutWorkflow running =
        client.newWorkflowStub(
            RolloutWorkflow.class,
            RolloutWorkflow.startOptions(ScriptedRetraining.COLLECTION, steps.candidate));
    WorkflowClient.start(
        running::rollOut,
        new RolloutRequest(
            ScriptedRetraining.COLLECTION, 2, RolloutRequest.MANUAL, "ops", null, null));

    RetrainingResult result = workflow.retrain(SEARCH);

    assertThat(result.outcome()).isEqualTo(RetrainingResult.STAGED);
    assertThat(result.rollout()).isEqualTo("rollout-scifact-v2");
    // The operator's rollout runs on; the retraining's start found it running.
    assertThat(ChildStartsSeen.input(client, "rollout-scifact-v2", RolloutRequest.class).trigger())
        .isEqualTo(RolloutRequest.MANUAL);
    assertThat(
            client
                .newUntypedWorkflowStub("rollout-scifact-v2")
                .describe()
                .getWorkflowExecutionInfo()
                .getStatus())
        .isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);
  }

  @Test
  void stops_starting_trials_when_the_study_says_stop(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    steps.trials = 50;
    steps.parallelism = 1;
    steps.stopAfter = 3;
    RetrainingWorkflow workflow = start(env, worker, client, steps);

    RetrainingResult result = workflow.retrain(SEARCH);

    assertThat(result.outcome()).isEqualTo(RetrainingResult.STAGED);
    // One at a time: three trials went on, the fourth's check said stop.
    assertThat(steps.count("trial ")).isEqualTo(4);
  }

  @Test
  void counts_pruned_and_failed_trials_and_goes_on(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    steps.trials = 5;
    steps.trialEnding = n -> n == 1 ? "fail" : n % 2 == 0 ? "pruned" : "complete";
    RetrainingWorkflow workflow = start(env, worker, client, steps);

    RetrainingResult result = workflow.retrain(SEARCH);

    assertThat(result.outcome()).isEqualTo(RetrainingResult.STAGED);
    RetrainingProgress progress = workflow.progress();
    assertThat(progress.trials()).isEqualTo(5);
    assertThat(progress.failed()).isEqualTo(1);
    assertThat(progress.pruned()).isEqualTo(3);
  }

  @Test
  void pinned_parameters_are_trained_and_gated_without_a_search(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    steps.gatesPass = false;
    RetrainingWorkflow workflow = start(env, worker, client, steps);

    RetrainingResult result = workflow.retrain(pinned(Map.of("mode", "dense", "reranker", "none")));

    assertThat(result.outcome()).isEqualTo(RetrainingResult.REJECTED);
    assertThat(result.version()).isEqualTo(2);
    assertThat(result.gates()).anyMatch(g -> !g.passed());
    assertThat(steps.calls).doesNotContain("study");
    assertThat(steps.count("trial ")).isZero();
    assertThat(steps.calls).anyMatch(c -> c.startsWith("register null {"));
  }

  @Test
  void the_candidate_and_the_champion_are_measured_on_every_stored_eval_set_of_the_champion(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    steps.storedEvalSets =
        List.of(
            new StoredEvalSet("scifact", "test", "all", 7),
            new StoredEvalSet("nfcorpus", "dev", "held-out", 9));
    RetrainingWorkflow workflow = start(env, worker, client, steps);

    RetrainingResult result = workflow.retrain(SEARCH);

    assertThat(result.outcome()).isEqualTo(RetrainingResult.STAGED);
    // Champion (v1) then candidate (v2) on the queries of each stored run (1000 × run + version).
    assertThat(steps.calls)
        .contains(
            "judge v2 runs 102,101 others [EvalSetRuns[candidateRun=7002, championRun=7001],"
                + " EvalSetRuns[candidateRun=9002, championRun=9001]]");
    EvaluationRequest again =
        ChildStartsSeen.input(client, "retrain-scifact-v2-eval-v2-run9", EvaluationRequest.class);
    assertThat(again.fromRun()).isEqualTo(9L);
    assertThat(again.queriesBlob()).isNull();
    assertThat(List.of(again.dataset(), again.split(), again.part(), again.modelVersion()))
        .containsExactly("nfcorpus", "dev", "held-out", "v2");
    assertThat(ChildStartsSeen.ids(client, "retrain-scifact"))
        .containsSubsequence(
            "retrain-scifact-v2-eval-v1",
            "retrain-scifact-v2-eval-v2",
            "retrain-scifact-v2-eval-v1-run7",
            "retrain-scifact-v2-eval-v2-run7",
            "retrain-scifact-v2-eval-v1-run9",
            "retrain-scifact-v2-eval-v2-run9");
  }

  @Test
  void pinned_chunking_rebuilds_a_candidate_index_and_the_search_runs_on_it(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    steps.trials = 2;
    RetrainingWorkflow workflow = start(env, worker, client, steps);

    RetrainingResult result =
        workflow.retrain(pinned(Map.of("chunkSize", "512", "chunkOverlap", "64")));

    assertThat(result.outcome()).isEqualTo(RetrainingResult.STAGED);
    IngestionRequest rebuild = ScriptedRetraining.Rebuild.asked;
    assertThat(rebuild.rebuilds()).isTrue();
    assertThat(rebuild.collection()).isEqualTo(ScriptedRetraining.COLLECTION);
    assertThat(List.of(rebuild.chunkSize(), rebuild.chunkOverlap())).containsExactly(512, 64);
    // No retrieval parameter was pinned: the search runs, on the rebuilt index.
    assertThat(steps.calls).contains("trial 0 on index 42", "register 7 {} on index 42");
    assertThat(ChildStartsSeen.ids(client, "retrain-scifact")).contains("retrain-scifact/index");
  }

  @Test
  void pinned_chunking_and_retrieval_trains_that_configuration_on_the_rebuilt_index(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    RetrainingWorkflow workflow = start(env, worker, client, steps);

    workflow.retrain(pinned(Map.of("chunkSize", "512", "mode", "dense")));

    assertThat(ScriptedRetraining.Rebuild.asked.chunkOverlap()).isNull();
    assertThat(steps.calls)
        .doesNotContain("study")
        .contains("register null {mode=dense} on index 42");
  }

  @Test
  void a_pinned_embedding_model_rebuilds_the_candidate_index_with_that_model(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    RetrainingWorkflow workflow = start(env, worker, client, steps);

    workflow.retrain(pinned(Map.of("embeddingModel", "all-minilm-l6-v2-q", "mode", "dense")));

    IngestionRequest rebuild = ScriptedRetraining.Rebuild.asked;
    assertThat(rebuild.rebuilds()).isTrue();
    assertThat(rebuild.embeddingModel()).isEqualTo("all-minilm-l6-v2-q");
    // The chunking is left to the serving index's.
    assertThat(rebuild.chunkSize()).isNull();
    assertThat(rebuild.chunkOverlap()).isNull();
    assertThat(steps.calls).contains("register null {mode=dense} on index 42");
  }

  @Test
  void a_rebuild_that_lost_documents_fails_the_run_before_any_candidate(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    RetrainingWorkflow workflow = start(env, worker, client, steps);
    ScriptedRetraining.Rebuild.failed = 2;

    RetrainingResult result = workflow.retrain(pinned(Map.of("chunkSize", "512")));

    assertThat(result.outcome()).isEqualTo(RetrainingResult.FAILED);
    assertThat(result.failure())
        .startsWith("rebuilding the index failed for 2 of 10 documents (first: a.txt: unreadable)");
    assertThat(result.version()).isNull();
    assertThat(steps.calls).noneMatch(c -> c.startsWith("register") || c.startsWith("trial"));
  }

  @Test
  void a_first_version_is_judged_without_a_champion_run(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    steps.champion = null;
    steps.reason = "no_model";
    steps.trials = 2;
    RetrainingWorkflow workflow = start(env, worker, client, steps);

    RetrainingResult result = workflow.retrain(SEARCH);

    assertThat(result.outcome()).isEqualTo(RetrainingResult.STAGED);
    assertThat(steps.calls).contains("judge v2 runs 102,null").doesNotContain("stored sets");
  }

  @Test
  void unusable_data_fails_the_run_with_the_reason(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    steps.invalidData = "the labelled set is too small: 3 fitting and 1 held-out judged queries";
    RetrainingWorkflow workflow = start(env, worker, client, steps);

    RetrainingResult result = workflow.retrain(SEARCH);

    assertThat(result.outcome()).isEqualTo(RetrainingResult.FAILED);
    assertThat(result.failure()).isEqualTo(steps.invalidData);
    assertThat(result.version()).isNull();
    assertThat(steps.calls).containsExactly("decide", "check");
    assertThat(workflow.progress().phase()).isEqualTo(RetrainingProgress.FAILED);
  }
}
