package io.engram.workflows.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.workflows.ingestion.IndexParams;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Records the histories {@link RolloutWorkflowReplayTest} replays, with scripted verdicts. Off by
 * default; run it after a deliberate, versioned change to the workflow with {@code
 * -Dengram.recordHistories=true} and check the new files in.
 */
@Timeout(60)
@EnabledIfSystemProperty(named = "engram.recordHistories", matches = "true")
class RecordRolloutHistoriesTest {

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow = RolloutWorkflowTest.extension();

  private static final Path DIR = Path.of("src/test/resources/histories");

  @Test
  void a_winner_paused_resumed_and_promoted_on_approval(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) throws IOException {
    ScriptedRollout steps = new ScriptedRollout();
    steps.autoPromote = false;
    steps.verdicts =
        (phase, step) ->
            phase.equals(RolloutStatus.CANARY) && step == 2
                ? RolloutVerdict.BETTER
                : RolloutVerdict.READY;
    RolloutWorkflow workflow = RolloutWorkflowTest.start(env, worker, client, steps);
    WorkflowClient.start(workflow::rollOut, ScriptedRollout.request());
    env.sleep(Duration.ofSeconds(70));
    workflow.pause(new RolloutSignal("bob", "a look at the dashboard"));
    env.sleep(Duration.ofMinutes(5));
    workflow.resume(new RolloutSignal("bob", null));
    env.sleep(Duration.ofMinutes(3));
    assertThat(workflow.status().phase()).isEqualTo(RolloutStatus.AWAITING_APPROVAL);
    workflow.approve(new RolloutSignal("alice", "figures hold"));

    assertThat(WorkflowStub.fromTyped(workflow).getResult(RolloutResult.class).decision())
        .isEqualTo(RolloutResult.PROMOTED);

    write(client, "rollout-approved-promote");
  }

  @Test
  void a_paused_rollout_whose_champion_was_moved_by_hand_rolled_back_while_paused(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) throws IOException {
    ScriptedRollout steps = new ScriptedRollout();
    RolloutWorkflow workflow = RolloutWorkflowTest.start(env, worker, client, steps);
    WorkflowClient.start(workflow::rollOut, ScriptedRollout.request());
    env.sleep(Duration.ofSeconds(70));
    workflow.pause(new RolloutSignal("bob", "a look at the dashboard"));
    env.sleep(Duration.ofMinutes(1));
    steps.interference = "the champion alias was moved by hand to v2 during the rollout";

    assertThat(WorkflowStub.fromTyped(workflow).getResult(RolloutResult.class).decision())
        .isEqualTo(RolloutResult.ROLLED_BACK);

    write(client, "rollout-paused-champion-moved-rollback");
  }

  @Test
  void a_slow_candidate_rolled_back_in_the_first_step(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) throws IOException {
    ScriptedRollout steps = new ScriptedRollout();
    int[] canaryChecks = {0};
    steps.verdicts =
        (phase, step) ->
            phase.equals(RolloutStatus.CANARY) && ++canaryChecks[0] > 2
                ? RolloutVerdict.FAIL
                : phase.equals(RolloutStatus.CANARY) ? RolloutVerdict.WAIT : RolloutVerdict.READY;
    RolloutWorkflow workflow = RolloutWorkflowTest.start(env, worker, client, steps);

    assertThat(workflow.rollOut(ScriptedRollout.request()).decision())
        .isEqualTo(RolloutResult.ROLLED_BACK);

    write(client, "rollout-guardrail-rollback");
  }

  @Test
  void a_winner_whose_promotion_is_refused_rolled_back(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) throws IOException {
    ScriptedRollout steps = new ScriptedRollout();
    steps.verdicts =
        (phase, step) ->
            phase.equals(RolloutStatus.CANARY) ? RolloutVerdict.BETTER : RolloutVerdict.READY;
    steps.refusePromotion = "champion of zoo points at v3, not v1: it was moved meanwhile";
    RolloutWorkflow workflow = RolloutWorkflowTest.start(env, worker, client, steps);

    assertThat(workflow.rollOut(ScriptedRollout.request()).decision())
        .isEqualTo(RolloutResult.ROLLED_BACK);

    write(client, "rollout-refused-promotion");
  }

  @Test
  void a_candidate_failing_its_few_queries_rolled_back_at_its_time_budget(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) throws IOException {
    ScriptedRollout steps = new ScriptedRollout();
    steps.timings = new RolloutStarted.Timings(60_000, 60_000, 300_000, 15_000, 600_000, 60_000);
    steps.verdicts =
        (phase, step) ->
            phase.equals(RolloutStatus.SHADOW) ? RolloutVerdict.READY : RolloutVerdict.WAIT;
    steps.failsAtBudgetEnd =
        "candidate errors: 2 of 2 queries failed (100.0%, at most 1.0% allowed) over the whole"
            + " rollout";
    RolloutWorkflow workflow = RolloutWorkflowTest.start(env, worker, client, steps);

    assertThat(workflow.rollOut(ScriptedRollout.request()).decision())
        .isEqualTo(RolloutResult.ROLLED_BACK);

    write(client, "rollout-errors-at-budget-end");
  }

  @Test
  void a_rollout_starved_of_traffic_kept_at_its_time_budget(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) throws IOException {
    ScriptedRollout steps = new ScriptedRollout();
    steps.verdicts = (phase, step) -> RolloutVerdict.WAIT;
    // A budget of two minutes: eight checks, a short history.
    steps.timings =
        new RolloutStarted.Timings(60_000, 60_000, 120_000, 15_000, 86_400_000, 86_400_000);
    RolloutWorkflow workflow = RolloutWorkflowTest.start(env, worker, client, steps);

    assertThat(workflow.rollOut(ScriptedRollout.request()).decision())
        .isEqualTo(RolloutResult.KEPT);

    write(client, "rollout-too-little-traffic-kept");
  }

  @Test
  void a_winner_on_an_index_of_its_own_caught_up_and_promoted(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) throws IOException {
    ScriptedRollout steps = new ScriptedRollout();
    steps.candidateIndex = new IndexParams("bge-small-en-v1.5-q", 512, 64);
    steps.verdicts =
        (phase, step) ->
            phase.equals(RolloutStatus.CANARY) ? RolloutVerdict.BETTER : RolloutVerdict.READY;
    RolloutWorkflow workflow = RolloutWorkflowTest.start(env, worker, client, steps);

    assertThat(workflow.rollOut(ScriptedRollout.request()).decision())
        .isEqualTo(RolloutResult.PROMOTED);

    write(client, "rollout-index-caught-up-at-start-promote");
  }

  private static void write(WorkflowClient client, String name) throws IOException {
    Files.createDirectories(DIR);
    Files.writeString(
        DIR.resolve(name + ".json"),
        client.fetchHistory(RolloutWorkflow.workflowId(ScriptedRollout.COLLECTION, 2)).toJson(true)
            + "\n");
  }
}
