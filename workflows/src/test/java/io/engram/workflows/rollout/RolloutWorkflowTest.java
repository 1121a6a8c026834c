package io.engram.workflows.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.workflows.common.ChildStartsSeen;
import io.engram.workflows.common.EngramSearchAttributes;
import io.engram.workflows.common.TaskQueues;
import io.engram.workflows.ingestion.IndexParams;
import io.engram.workflows.ingestion.IngestionRequest;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.SearchAttributes;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The rollout workflow against scripted verdicts, with time skipping. */
@Timeout(60)
class RolloutWorkflowTest {

  @RegisterExtension static final TestWorkflowExtension testWorkflow = extension();

  static TestWorkflowExtension extension() {
    TestWorkflowExtension.Builder builder =
        TestWorkflowExtension.newBuilder()
            .setWorkflowTypes(RolloutWorkflowImpl.class)
            .setDoNotStart(true);
    for (Map.Entry<String, IndexedValueType> a : EngramSearchAttributes.ALL.entrySet()) {
      builder.registerSearchAttribute(a.getKey(), a.getValue());
    }
    return builder.build();
  }

  private final ScriptedRollout steps = new ScriptedRollout();

  static RolloutWorkflow start(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client, ScriptedRollout steps) {
    worker.registerActivitiesImplementations(steps);
    env.newWorker(TaskQueues.INGEST)
        .registerWorkflowImplementationTypes(ScriptedRollout.CatchUp.class);
    ScriptedRollout.CatchUp.failed = 0;
    ScriptedRollout.CatchUp.asked = null;
    ScriptedRollout.CatchUp.takes = Duration.ZERO;
    ScriptedRollout.CatchUp.ran.clear();
    env.start();
    WorkflowOptions options =
        RolloutWorkflow.startOptions(ScriptedRollout.COLLECTION, 2).toBuilder()
            .setTaskQueue(worker.getTaskQueue())
            .build();
    return client.newWorkflowStub(RolloutWorkflow.class, options);
  }

  private static SearchAttributes searchAttributes(RolloutWorkflow workflow) {
    return WorkflowStub.fromTyped(workflow).describe().getTypedSearchAttributes();
  }

  @Test
  void a_better_candidate_bakes_through_shadow_and_the_steps_then_is_promoted(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    steps.verdicts =
        (phase, step) ->
            phase.equals(RolloutStatus.CANARY) && step == 3
                ? RolloutVerdict.BETTER
                : RolloutVerdict.READY;
    RolloutWorkflow workflow = start(env, worker, client, steps);

    RolloutResult result = workflow.rollOut(ScriptedRollout.request());

    assertThat(result.decision()).isEqualTo(RolloutResult.PROMOTED);
    assertThat(result.rolloutId()).isEqualTo(ScriptedRollout.ROLLOUT_ID);
    assertThat(result.exposure()).isEqualTo(0.04);
    assertThat(steps.moves())
        .containsExactly(
            "begin v2",
            "enter canary 1",
            "enter canary 2",
            "enter canary 3",
            "promote by rollout: scripted BETTER");
    // Each phase bakes a minute, checked every 15 seconds: the fourth check may move on.
    assertThat(steps.count("check shadow 0")).isEqualTo(4);
    assertThat(steps.count("check canary 1")).isEqualTo(4);
    assertThat(steps.count("check canary 3")).isEqualTo(1);
    SearchAttributes attributes = searchAttributes(workflow);
    assertThat(attributes.get(EngramSearchAttributes.COLLECTION)).isEqualTo("zoo");
    assertThat(attributes.get(EngramSearchAttributes.CHAMPION_VERSION)).isEqualTo("v1");
    assertThat(attributes.get(EngramSearchAttributes.CANDIDATE_VERSION)).isEqualTo("v2");
    assertThat(attributes.get(EngramSearchAttributes.ROLLOUT_PHASE)).isEqualTo("promoted");
  }

  @Test
  void a_candidate_on_an_index_of_its_own_has_it_caught_up_before_it_is_promoted(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    steps.candidateIndex = new IndexParams("bge-small-en-v1.5-q", 512, 64);
    steps.verdicts = (phase, step) -> RolloutVerdict.BETTER;
    RolloutWorkflow workflow = start(env, worker, client, steps);

    RolloutResult result = workflow.rollOut(ScriptedRollout.request());

    assertThat(result.decision()).isEqualTo(RolloutResult.PROMOTED);
    IngestionRequest caughtUp = ScriptedRollout.CatchUp.asked;
    assertThat(caughtUp.rebuilds()).isTrue();
    assertThat(caughtUp.collection()).isEqualTo(ScriptedRollout.COLLECTION);
    assertThat(List.of(caughtUp.chunkSize(), caughtUp.chunkOverlap())).containsExactly(512, 64);
    assertThat(caughtUp.embeddingModel()).isEqualTo("bge-small-en-v1.5-q");
    assertThat(steps.moves()).last().asString().startsWith("promote");
    // Caught up before its shadow, before the move, and once more after it for what came in
    // meanwhile.
    assertThat(
            ChildStartsSeen.ids(client, RolloutWorkflow.workflowId(ScriptedRollout.COLLECTION, 2)))
        .containsExactly(
            "rollout-zoo-v2-index-start", "rollout-zoo-v2-index", "rollout-zoo-v2-index-after");
  }

  @Test
  void a_catch_up_before_the_shadow_that_fails_does_not_end_the_rollout(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    steps.candidateIndex = new IndexParams("all-minilm-l6-v2-q", 1024, 200);
    steps.verdicts = (phase, step) -> RolloutVerdict.WORSE;
    RolloutWorkflow workflow = start(env, worker, client, steps);
    ScriptedRollout.CatchUp.failed = 1;

    RolloutResult result = workflow.rollOut(ScriptedRollout.request());

    // The shadow ran and judged the candidate; only then did the rollout end.
    assertThat(ScriptedRollout.CatchUp.ran).containsExactly("rollout-zoo-v2-index-start");
    assertThat(steps.calls).anyMatch(c -> c.startsWith("check "));
    assertThat(result.decision()).isEqualTo(RolloutResult.ROLLED_BACK);
    assertThat(ScriptedRollout.CatchUp.asked.embeddingModel()).isEqualTo("all-minilm-l6-v2-q");
  }

  @Test
  void a_candidate_whose_index_cannot_be_caught_up_is_rolled_back_not_promoted(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    steps.candidateIndex = new IndexParams("bge-small-en-v1.5-q", 512, 64);
    steps.verdicts = (phase, step) -> RolloutVerdict.BETTER;
    RolloutWorkflow workflow = start(env, worker, client, steps);
    ScriptedRollout.CatchUp.failed = 1;

    RolloutResult result = workflow.rollOut(ScriptedRollout.request());

    assertThat(result.decision()).isEqualTo(RolloutResult.ROLLED_BACK);
    assertThat(result.reason())
        .isEqualTo(
            "catching the candidate's index up failed for 1 of 10 documents; it would serve"
                + " without them");
    assertThat(steps.moves()).noneMatch(m -> m.startsWith("promote"));
  }

  @Test
  void an_abort_sent_while_the_index_is_caught_up_rolls_back_instead_of_promoting(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) throws Exception {
    steps.candidateIndex = new IndexParams("bge-small-en-v1.5-q", 512, 64);
    steps.verdicts = (phase, step) -> RolloutVerdict.BETTER;
    RolloutWorkflow workflow = start(env, worker, client, steps);
    ScriptedRollout.CatchUp.takes = Duration.ofMinutes(10);
    WorkflowClient.start(workflow::rollOut, ScriptedRollout.request());
    // The first check promotes the candidate: wait (in workflow time) until its catch-up runs
    // (after the one before its shadow).
    while (!ScriptedRollout.CatchUp.ran.contains("rollout-zoo-v2-index")) {
      env.sleep(Duration.ofSeconds(15));
    }

    workflow.abort(new RolloutSignal("ops", "wrong corpus"));
    RolloutResult result = WorkflowStub.fromTyped(workflow).getResult(RolloutResult.class);

    assertThat(result.decision()).isEqualTo(RolloutResult.ROLLED_BACK);
    assertThat(result.reason())
        .isEqualTo("aborted by ops: wrong corpus while the candidate's index was caught up");
    assertThat(steps.moves()).noneMatch(m -> m.startsWith("promote"));
  }

  @Test
  void a_candidate_on_the_champions_index_is_promoted_without_a_catch_up(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    steps.verdicts = (phase, step) -> RolloutVerdict.BETTER;
    RolloutWorkflow workflow = start(env, worker, client, steps);

    assertThat(workflow.rollOut(ScriptedRollout.request()).decision())
        .isEqualTo(RolloutResult.PROMOTED);
    assertThat(ScriptedRollout.CatchUp.asked).isNull();
  }

  @Test
  void a_failed_guardrail_rolls_back_at_once_without_moving_on(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    steps.verdicts =
        (phase, step) ->
            phase.equals(RolloutStatus.CANARY) ? RolloutVerdict.FAIL : RolloutVerdict.READY;
    RolloutWorkflow workflow = start(env, worker, client, steps);

    RolloutResult result = workflow.rollOut(ScriptedRollout.request());

    assertThat(result.decision()).isEqualTo(RolloutResult.ROLLED_BACK);
    assertThat(result.reason()).isEqualTo("scripted FAIL");
    assertThat(steps.moves())
        .containsExactly("begin v2", "enter canary 1", "roll back by rollout: scripted FAIL");
    assertThat(steps.count("check canary 1")).isEqualTo(1);
    assertThat(searchAttributes(workflow).get(EngramSearchAttributes.ROLLOUT_PHASE))
        .isEqualTo("rolled_back");
  }

  @Test
  void a_worse_candidate_is_rolled_back_even_in_the_first_step(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    steps.verdicts =
        (phase, step) ->
            phase.equals(RolloutStatus.CANARY) ? RolloutVerdict.WORSE : RolloutVerdict.READY;
    RolloutWorkflow workflow = start(env, worker, client, steps);

    assertThat(workflow.rollOut(ScriptedRollout.request()).decision())
        .isEqualTo(RolloutResult.ROLLED_BACK);
    assertThat(steps.count("roll back by rollout: scripted WORSE")).isEqualTo(1);
  }

  @Test
  void
      shadow_waits_while_it_lacks_traffic_and_an_undecided_rollout_keeps_the_champion_at_its_time_budget(
          TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    AtomicInteger shadowChecks = new AtomicInteger();
    steps.verdicts =
        (phase, step) ->
            phase.equals(RolloutStatus.SHADOW) && shadowChecks.incrementAndGet() <= 6
                ? RolloutVerdict.WAIT
                : RolloutVerdict.READY;
    RolloutWorkflow workflow = start(env, worker, client, steps);

    RolloutResult result = workflow.rollOut(ScriptedRollout.request());

    // Baked after four checks, but without enough comparisons until the seventh.
    assertThat(steps.count("check shadow 0")).isEqualTo(7);
    assertThat(result.decision()).isEqualTo(RolloutResult.KEPT);
    assertThat(result.reason()).startsWith("no difference within the time budget of 1h");
    // The last step holds until the budget ends: no step beyond the plan's three.
    assertThat(steps.moves())
        .containsExactly(
            "begin v2",
            "enter canary 1",
            "enter canary 2",
            "enter canary 3",
            "keep by rollout: " + result.reason());
  }

  @Test
  void a_rollout_that_never_had_the_traffic_it_needs_is_kept_as_undecided_for_want_of_it(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    steps.verdicts = (phase, step) -> RolloutVerdict.WAIT;
    RolloutWorkflow workflow = start(env, worker, client, steps);

    RolloutResult result = workflow.rollOut(ScriptedRollout.request());

    assertThat(result.decision()).isEqualTo(RolloutResult.KEPT);
    assertThat(result.reason())
        .startsWith("not enough traffic to decide within the time budget of 1h")
        .doesNotContain("no difference");
    assertThat(steps.moves()).containsExactly("begin v2", "keep by rollout: " + result.reason());
  }

  @Test
  void a_candidate_failing_its_few_queries_rolls_back_at_the_time_budget_instead_of_being_kept(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    // Too little traffic for any check to decide, but what the candidate served failed.
    steps.verdicts =
        (phase, step) ->
            phase.equals(RolloutStatus.SHADOW) ? RolloutVerdict.READY : RolloutVerdict.WAIT;
    steps.failsAtBudgetEnd =
        "candidate errors: 2 of 2 queries failed (100.0%, at most 1.0% allowed) over the whole"
            + " rollout";
    RolloutWorkflow workflow = start(env, worker, client, steps);

    RolloutResult result = workflow.rollOut(ScriptedRollout.request());

    assertThat(result.decision()).isEqualTo(RolloutResult.ROLLED_BACK);
    assertThat(result.reason())
        .isEqualTo(
            "not enough traffic to decide within the time budget of 1h, but "
                + steps.failsAtBudgetEnd);
    assertThat(steps.moves())
        .containsExactly("begin v2", "enter canary 1", "roll back by rollout: " + result.reason());
  }

  @Test
  void a_candidate_failing_beyond_the_rate_rolls_back_at_the_traffic_budget(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    steps.trafficBudgetSpent = true;
    steps.failsAtBudgetEnd = "candidate errors: 2 of 20 queries failed";
    RolloutWorkflow workflow = start(env, worker, client, steps);

    RolloutResult result = workflow.rollOut(ScriptedRollout.request());

    assertThat(result.decision()).isEqualTo(RolloutResult.ROLLED_BACK);
    assertThat(result.reason())
        .isEqualTo(
            "no difference within the traffic budget, but candidate errors: 2 of 20 queries"
                + " failed");
  }

  @Test
  void a_spent_traffic_budget_ends_as_no_difference(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    steps.trafficBudgetSpent = true;
    RolloutWorkflow workflow = start(env, worker, client, steps);

    RolloutResult result = workflow.rollOut(ScriptedRollout.request());

    assertThat(result.decision()).isEqualTo(RolloutResult.KEPT);
    assertThat(result.reason()).startsWith("no difference within the traffic budget");
    assertThat(steps.count("check ")).isEqualTo(1);
  }

  @Test
  void without_auto_promotion_a_winner_holds_its_traffic_until_approved(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    steps.autoPromote = false;
    steps.verdicts =
        (phase, step) ->
            phase.equals(RolloutStatus.SHADOW) ? RolloutVerdict.READY : RolloutVerdict.BETTER;
    RolloutWorkflow workflow = start(env, worker, client, steps);
    WorkflowClient.start(workflow::rollOut, ScriptedRollout.request());

    env.sleep(Duration.ofMinutes(10));
    RolloutStatus status = workflow.status();
    assertThat(status.phase()).isEqualTo(RolloutStatus.AWAITING_APPROVAL);
    assertThat(status.step()).isEqualTo(1);
    assertThat(status.last().verdict()).isEqualTo(RolloutVerdict.BETTER);
    assertThat(status.decision()).isNull();
    assertThat(steps.count("promote")).isZero();

    workflow.approve(new RolloutSignal("alice", "looks good"));
    RolloutResult result = WorkflowStub.fromTyped(workflow).getResult(RolloutResult.class);

    assertThat(result.decision()).isEqualTo(RolloutResult.PROMOTED);
    assertThat(result.reason()).isEqualTo("approved by alice: looks good");
    assertThat(steps.moves())
        .containsExactly(
            "begin v2",
            "enter canary 1",
            "enter awaiting_approval 1",
            "signal approve by alice",
            "promote by alice: approved by alice: looks good");
  }

  @Test
  void a_promotion_the_state_refuses_rolls_back_with_the_reason_instead_of_holding_the_rollout(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    steps.autoPromote = false;
    steps.verdicts =
        (phase, step) ->
            phase.equals(RolloutStatus.SHADOW) ? RolloutVerdict.READY : RolloutVerdict.BETTER;
    steps.refusePromotion = "zoo/v2 is archived; only a registered version can carry an alias";
    RolloutWorkflow workflow = start(env, worker, client, steps);
    WorkflowClient.start(workflow::rollOut, ScriptedRollout.request());
    env.sleep(Duration.ofMinutes(10));
    assertThat(workflow.status().phase()).isEqualTo(RolloutStatus.AWAITING_APPROVAL);

    workflow.approve(new RolloutSignal("alice", null));
    RolloutResult result = WorkflowStub.fromTyped(workflow).getResult(RolloutResult.class);

    assertThat(result.decision()).isEqualTo(RolloutResult.ROLLED_BACK);
    assertThat(result.reason())
        .isEqualTo(
            "the promotion was refused: zoo/v2 is archived; only a registered version can carry"
                + " an alias");
    assertThat(steps.moves())
        .containsExactly(
            "begin v2",
            "enter canary 1",
            "enter awaiting_approval 1",
            "signal approve by alice",
            "promote by alice: approved by alice",
            "roll back by rollout: " + result.reason());
    assertThat(searchAttributes(workflow).get(EngramSearchAttributes.ROLLOUT_PHASE))
        .isEqualTo("rolled_back");
  }

  @Test
  void approval_that_never_comes_keeps_the_champion(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    steps.autoPromote = false;
    steps.verdicts =
        (phase, step) ->
            phase.equals(RolloutStatus.SHADOW) ? RolloutVerdict.READY : RolloutVerdict.BETTER;
    steps.timings = new RolloutStarted.Timings(60_000, 60_000, 86_400_000, 15_000, 600_000, 60_000);
    RolloutWorkflow workflow = start(env, worker, client, steps);

    RolloutResult result = workflow.rollOut(ScriptedRollout.request());

    assertThat(result.decision()).isEqualTo(RolloutResult.KEPT);
    assertThat(result.reason()).startsWith("no approval within 10m");
  }

  /** A rollout started, in canary step 1 after 70 s, then paused by bob. */
  private RolloutWorkflow pausedInCanary(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    RolloutWorkflow workflow = start(env, worker, client, steps);
    WorkflowClient.start(workflow::rollOut, ScriptedRollout.request());
    env.sleep(Duration.ofSeconds(70));
    assertThat(workflow.status().phase()).isEqualTo(RolloutStatus.CANARY);
    workflow.pause(new RolloutSignal("bob", "looking at a dashboard"));
    env.sleep(Duration.ofSeconds(5));
    return workflow;
  }

  @Test
  void a_paused_rollout_neither_checks_nor_moves_until_resumed_and_abort_rolls_back(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    RolloutWorkflow workflow = pausedInCanary(env, worker, client);
    long checks = steps.count("check ");
    env.sleep(Duration.ofMinutes(30));
    assertThat(steps.count("check ")).isEqualTo(checks);
    assertThat(workflow.status().paused()).isTrue();
    assertThat(workflow.status().step()).isEqualTo(1);

    workflow.resume(new RolloutSignal("bob", null));
    env.sleep(Duration.ofSeconds(30));
    assertThat(workflow.status().paused()).isFalse();
    assertThat(steps.count("check ")).isGreaterThan(checks);
    workflow.abort(new RolloutSignal("bob", "customer complaint"));
    RolloutResult result = WorkflowStub.fromTyped(workflow).getResult(RolloutResult.class);

    assertThat(result.decision()).isEqualTo(RolloutResult.ROLLED_BACK);
    assertThat(result.reason()).isEqualTo("aborted by bob: customer complaint");
    assertThat(steps.moves())
        .containsExactly(
            "begin v2",
            "enter canary 1",
            "signal pause by bob",
            "signal resume by bob",
            "signal abort by bob",
            "roll back by bob: aborted by bob: customer complaint");
  }

  @Test
  void a_paused_rollout_whose_champion_was_moved_by_hand_ends_without_waiting_for_a_resume(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    RolloutWorkflow workflow = pausedInCanary(env, worker, client);
    long checks = steps.count("check ");
    env.sleep(Duration.ofMinutes(2));
    assertThat(workflow.status().paused()).isTrue();
    assertThat(workflow.status().decision()).isNull();

    steps.interference = "the champion alias was moved by hand to v2 during the rollout";
    RolloutResult result = WorkflowStub.fromTyped(workflow).getResult(RolloutResult.class);

    // Ended at the next check interval (15 s), still paused: its figures were never read meanwhile.
    assertThat(result.decision()).isEqualTo(RolloutResult.ROLLED_BACK);
    assertThat(result.seconds()).isLessThanOrEqualTo(70 + 5 + 120 + 15 + 1);
    assertThat(result.reason())
        .isEqualTo("the champion alias was moved by hand to v2 during the rollout");
    assertThat(steps.count("check ")).isEqualTo(checks);
    assertThat(steps.count("integrity canary 1")).isGreaterThan(1);
    assertThat(steps.moves())
        .containsExactly(
            "begin v2",
            "enter canary 1",
            "signal pause by bob",
            "roll back by rollout: the champion alias was moved by hand to v2 during the rollout");
    assertThat(searchAttributes(workflow).get(EngramSearchAttributes.ROLLOUT_PHASE))
        .isEqualTo("rolled_back");
  }

  @Test
  void a_pause_longer_than_allowed_keeps_the_champion(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    steps.timings =
        new RolloutStarted.Timings(60_000, 60_000, 86_400_000, 15_000, 600_000, 300_000);
    RolloutWorkflow workflow = start(env, worker, client, steps);
    WorkflowClient.start(workflow::rollOut, ScriptedRollout.request());
    workflow.pause(new RolloutSignal("bob", null));

    RolloutResult result = WorkflowStub.fromTyped(workflow).getResult(RolloutResult.class);

    assertThat(result.decision()).isEqualTo(RolloutResult.KEPT);
    assertThat(result.reason()).isEqualTo("paused for longer than 5m");
    assertThat(steps.count("check ")).isZero();
  }

  @Test
  void a_refused_rollout_ends_refused_having_changed_nothing(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    steps.refuse = "zoo/v2 is already the champion";
    RolloutWorkflow workflow = start(env, worker, client, steps);

    RolloutResult result = workflow.rollOut(ScriptedRollout.request());

    assertThat(result.decision()).isEqualTo(RolloutResult.REFUSED);
    assertThat(result.rolloutId()).isNull();
    assertThat(result.reason()).isEqualTo("zoo/v2 is already the champion");
    assertThat(steps.moves()).containsExactly("begin v2");
  }

  @Test
  void a_long_rollout_continues_as_new_where_it_stood(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    // About 1,400 checks of 15 s: more than one history holds.
    steps.timings =
        new RolloutStarted.Timings(60_000, 60_000, 6 * 3_600_000, 15_000, 600_000, 300_000);
    RolloutWorkflow workflow = start(env, worker, client, steps);

    WorkflowExecution first = WorkflowClient.start(workflow::rollOut, ScriptedRollout.request());
    RolloutResult result =
        client
            .newUntypedWorkflowStub(RolloutWorkflow.workflowId(ScriptedRollout.COLLECTION, 2))
            .getResult(RolloutResult.class);

    assertThat(result.decision()).isEqualTo(RolloutResult.KEPT);
    assertThat(result.reason()).startsWith("no difference within the time budget of 6h");
    assertThat(
            client
                .fetchHistory(first.getWorkflowId(), first.getRunId())
                .getLastEvent()
                .getEventType())
        .isEqualTo(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW);
    assertThat(steps.count("begin")).isEqualTo(1);
    assertThat(steps.count("enter canary 3")).isEqualTo(1);
  }
}
