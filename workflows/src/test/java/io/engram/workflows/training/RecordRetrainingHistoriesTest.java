package io.engram.workflows.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.workflows.common.TaskQueues;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Records the histories {@link RetrainingWorkflowReplayTest} replays, with scripted activities. Off
 * by default; run it after a deliberate, versioned change to the workflow with {@code
 * -Dengram.recordHistories=true} and check the new files in.
 */
@Timeout(60)
@EnabledIfSystemProperty(named = "engram.recordHistories", matches = "true")
class RecordRetrainingHistoriesTest {

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow = RetrainingWorkflowTest.extension();

  private static final Path DIR = Path.of("src/test/resources/histories");

  @Test
  void a_search_with_pruned_and_failed_trials_staged(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) throws IOException {
    ScriptedRetraining steps = new ScriptedRetraining();
    steps.trials = 6;
    steps.trialEnding = n -> n == 2 ? "fail" : n == 3 ? "pruned" : "complete";
    RetrainingWorkflow workflow = RetrainingWorkflowTest.start(env, worker, client, steps);

    assertThat(workflow.retrain(RetrainingWorkflowTest.SEARCH).outcome()).isEqualTo("staged");

    write(client, "retraining-search-staged");
  }

  @Test
  void gated_on_the_champions_other_stored_eval_set(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) throws IOException {
    ScriptedRetraining steps = new ScriptedRetraining();
    steps.trials = 2;
    steps.storedEvalSets = List.of(new StoredEvalSet("scifact", "test", "all", 7));
    RetrainingWorkflow workflow = RetrainingWorkflowTest.start(env, worker, client, steps);

    assertThat(workflow.retrain(RetrainingWorkflowTest.SEARCH).outcome()).isEqualTo("staged");

    write(client, "retraining-gated-on-stored-eval-sets");
  }

  @Test
  void a_candidate_index_rebuilt_for_pinned_chunking(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) throws IOException {
    ScriptedRetraining steps = new ScriptedRetraining();
    steps.trials = 2;
    RetrainingWorkflow workflow = RetrainingWorkflowTest.start(env, worker, client, steps);

    RetrainingResult result =
        workflow.retrain(
            RetrainingWorkflowTest.pinned(Map.of("chunkSize", "512", "chunkOverlap", "64")));
    assertThat(result.outcome()).isEqualTo("staged");

    write(client, "retraining-rebuilt-candidate-index-v2");
  }

  @Test
  void a_staged_version_starts_its_rollout(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) throws IOException {
    ScriptedRetraining steps = new ScriptedRetraining();
    steps.trials = 3;
    steps.startRollout = true;
    RetrainingWorkflow workflow = RetrainingWorkflowTest.start(env, worker, client, steps);

    assertThat(workflow.retrain(RetrainingWorkflowTest.SEARCH).rollout())
        .isEqualTo("rollout-scifact-v2");

    write(client, "retraining-staged-rollout-started");
  }

  @Test
  void pinned_parameters_rejected(TestWorkflowEnvironment env, Worker worker, WorkflowClient client)
      throws IOException {
    ScriptedRetraining steps = new ScriptedRetraining();
    steps.gatesPass = false;
    RetrainingWorkflow workflow = RetrainingWorkflowTest.start(env, worker, client, steps);

    RetrainingResult result =
        workflow.retrain(
            RetrainingWorkflowTest.pinned(Map.of("mode", "dense", "reranker", "none")));
    assertThat(result.outcome()).isEqualTo("rejected");

    write(client, "retraining-pinned-rejected");
  }

  @Test
  void model_still_valid(TestWorkflowEnvironment env, Worker worker, WorkflowClient client)
      throws IOException {
    ScriptedRetraining steps = new ScriptedRetraining();
    steps.retrain = false;
    steps.reason = "model_still_valid";
    RetrainingWorkflow workflow = RetrainingWorkflowTest.start(env, worker, client, steps);

    assertThat(workflow.retrain(RetrainingWorkflowTest.SEARCH).outcome()).isEqualTo("no_op");

    write(client, "retraining-no-op");
  }

  @Test
  void unusable_data(TestWorkflowEnvironment env, Worker worker, WorkflowClient client)
      throws IOException {
    ScriptedRetraining steps = new ScriptedRetraining();
    steps.invalidData = "the labelled set is too small";
    RetrainingWorkflow workflow = RetrainingWorkflowTest.start(env, worker, client, steps);

    assertThat(workflow.retrain(RetrainingWorkflowTest.SEARCH).outcome()).isEqualTo("failed");

    write(client, "retraining-invalid-data");
  }

  @Test
  void a_scheduled_round_over_two_collections(TestWorkflowEnvironment env, WorkflowClient client)
      throws IOException {
    ScriptedRetraining steps = new ScriptedRetraining();
    steps.retrain = false;
    steps.reason = "model_still_valid";
    Worker training = env.newWorker(TaskQueues.TRAINING);
    training.registerWorkflowImplementationTypes(
        ScheduledRetrainingWorkflowImpl.class, RetrainingWorkflowImpl.class);
    training.registerActivitiesImplementations(steps);
    env.start();
    String id = ScheduledRetrainingWorkflow.SCHEDULE_ID + "-recorded";
    client
        .newWorkflowStub(
            ScheduledRetrainingWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(id)
                .setTaskQueue(TaskQueues.TRAINING)
                .build())
        .retrainAll();

    Files.writeString(
        DIR.resolve("scheduled-retraining-two-collections.json"),
        client.fetchHistory(id).toJson(true) + "\n");
  }

  private static void write(WorkflowClient client, String name) throws IOException {
    Files.createDirectories(DIR);
    Files.writeString(
        DIR.resolve(name + ".json"),
        client.fetchHistory("retrain-" + ScriptedRetraining.COLLECTION).toJson(true) + "\n");
  }
}
