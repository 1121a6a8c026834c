package io.engram.workflows.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.workflows.common.TaskQueues;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The scheduled round over real retraining workflows with scripted activities. */
@Timeout(60)
class ScheduledRetrainingWorkflowTest {

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow = RetrainingWorkflowTest.extension();

  private final ScriptedRetraining steps = new ScriptedRetraining();

  private ScheduledRetrainingWorkflow start(TestWorkflowEnvironment env, WorkflowClient client) {
    Worker training = env.newWorker(TaskQueues.TRAINING);
    training.registerWorkflowImplementationTypes(
        ScheduledRetrainingWorkflowImpl.class,
        RetrainingWorkflowImpl.class,
        ScriptedRetraining.Evaluation.class);
    training.registerActivitiesImplementations(steps);
    env.start();
    return client.newWorkflowStub(
        ScheduledRetrainingWorkflow.class,
        WorkflowOptions.newBuilder()
            .setWorkflowId(ScheduledRetrainingWorkflow.SCHEDULE_ID + "-1")
            .setTaskQueue(TaskQueues.TRAINING)
            .build());
  }

  @Test
  void asks_every_collection_with_a_model_and_most_answer_still_valid(
      TestWorkflowEnvironment env, WorkflowClient client) {
    steps.retrain = false;
    steps.reason = "model_still_valid";

    ScheduledRetrainingSummary summary = start(env, client).retrainAll();

    assertThat(summary.collections())
        .extracting(ScheduledRetrainingSummary.Asked::collection)
        .containsExactly("a", "b");
    assertThat(summary.collections())
        .allSatisfy(
            a -> {
              assertThat(a.start()).isEqualTo(RetrainingStarts.STARTED);
              assertThat(a.result().outcome()).isEqualTo(RetrainingResult.NO_OP);
              assertThat(a.result().reason()).isEqualTo("model_still_valid");
            });
    assertThat(steps.calls).containsExactly("collections", "decide", "decide");
  }

  @Test
  void retrains_one_collection_after_the_other(TestWorkflowEnvironment env, WorkflowClient client) {
    steps.trials = 2;
    steps.parallelism = 1;

    ScheduledRetrainingSummary summary = start(env, client).retrainAll();

    assertThat(summary.collections())
        .extracting(a -> a.result().outcome())
        .containsExactly(RetrainingResult.STAGED, RetrainingResult.STAGED);
    // The second retraining decided only after the first had been judged.
    int firstJudged = steps.calls.indexOf("judge v2 runs 102,101");
    int secondDecided = steps.calls.lastIndexOf("decide");
    assertThat(firstJudged).isLessThan(secondDecided);
  }
}
