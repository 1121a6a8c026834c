package io.engram.workflows.evaluation;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import io.engram.workflows.common.FailureTypes;
import io.engram.workflows.common.TaskQueues;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Records the answer-tier histories {@link EvaluationWorkflowReplayTest} replays, with scripted
 * activities. Off by default; run it after a deliberate, versioned change to the workflow with
 * {@code -Dengram.recordHistories=true} and check the new files in.
 */
@Timeout(60)
@EnabledIfSystemProperty(named = "engram.recordHistories", matches = "true")
class RecordEvaluationHistoriesTest {

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow =
      TestWorkflowExtension.newBuilder()
          .setWorkflowTypes(EvaluationWorkflowImpl.class)
          .setDoNotStart(true)
          .build();

  private static final Path DIR = Path.of("src/test/resources/histories");
  private static final long RUN = 42;

  @Test
  void retrieval_then_seven_answers_in_two_batches(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) throws IOException {
    EvaluationActivities retrieval =
        mock(EvaluationActivities.class, withSettings().withoutAnnotations());
    when(retrieval.prepare(any()))
        .thenReturn(new EvaluationPlan(RUN, "bge-small-en-v1.5-q-c1024-o200", 60));
    when(retrieval.evaluateBatch(anyLong(), anyInt(), anyInt()))
        .thenAnswer(
            i -> {
              int n = i.<Integer>getArgument(2) - i.<Integer>getArgument(1);
              return new BatchScores(n, 0.7 * n, 0.7 * n, 0.8 * n, n);
            });
    when(retrieval.complete(RUN))
        .thenReturn(EvaluationWorkflowTest.withAnswers(EvaluationWorkflowTest.summary(60, 0.7)));
    AnswerEvaluationActivities answers =
        mock(AnswerEvaluationActivities.class, withSettings().withoutAnnotations());
    when(answers.answerModel()).thenReturn("openai:gemma-3-270m");
    when(answers.sampleAnswers(RUN, 7)).thenReturn(7);
    when(answers.answerBatch(RUN, 0, 5)).thenReturn(new AnswerScores(5, 4));
    when(answers.answerBatch(RUN, 5, 7)).thenReturn(new AnswerScores(2, 2));
    worker.registerActivitiesImplementations(retrieval);
    env.newWorker(TaskQueues.LLM).registerActivitiesImplementations(answers);
    env.start();

    String id = "eval-scifact-train-held-out-answers";
    start(client, worker, id).evaluate(EvaluationWorkflowTest.withAnswers(7));

    write(client, id, "evaluation-answers");
  }

  @Test
  void answers_asked_of_a_worker_without_an_llm(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) throws IOException {
    worker.registerActivitiesImplementations(
        mock(EvaluationActivities.class, withSettings().withoutAnnotations()));
    AnswerEvaluationActivities answers =
        mock(AnswerEvaluationActivities.class, withSettings().withoutAnnotations());
    when(answers.answerModel())
        .thenThrow(
            ApplicationFailure.newNonRetryableFailure(
                "the worker has no LLM for answers", FailureTypes.LLM_NOT_CONFIGURED));
    env.newWorker(TaskQueues.LLM).registerActivitiesImplementations(answers);
    env.start();

    String id = "eval-scifact-train-held-out-no-llm";
    EvaluationWorkflow workflow = start(client, worker, id);
    Assertions.assertThrows(
        WorkflowFailedException.class,
        () -> workflow.evaluate(EvaluationWorkflowTest.withAnswers(3)));

    write(client, id, "evaluation-answers-without-llm");
  }

  private static EvaluationWorkflow start(WorkflowClient client, Worker worker, String id) {
    return client.newWorkflowStub(
        EvaluationWorkflow.class,
        WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(worker.getTaskQueue()).build());
  }

  private static void write(WorkflowClient client, String workflowId, String name)
      throws IOException {
    Files.createDirectories(DIR);
    Files.writeString(
        DIR.resolve(name + ".json"), client.fetchHistory(workflowId).toJson(true) + "\n");
  }
}
