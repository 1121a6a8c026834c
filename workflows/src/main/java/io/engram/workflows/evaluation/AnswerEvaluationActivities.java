package io.engram.workflows.evaluation;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * The advisory answer tier of an evaluation, on the {@code llm} task queue: the workers there hold
 * the LLM settings, and generation is slow, so it is scaled and tuned apart from retrieval.
 * Implementations live in the activities module.
 */
@ActivityInterface
public interface AnswerEvaluationActivities {

  /**
   * The model that writes answers, e.g. {@code openai:gemma-3-270m}. Asked before anything else is
   * done, so a run that wants answers from a worker without an LLM fails in a second.
   *
   * @throws io.temporal.failure.ApplicationFailure non-retryable, of type {@code LlmNotConfigured},
   *     when the worker has no LLM
   */
  @ActivityMethod
  String answerModel();

  /**
   * Draws the run's sample: {@code answers} of its evaluated queries, by a hash of the query id, so
   * the same queries are answered in every run of the same set. Idempotent: the sample is drawn
   * once per run and a retry returns its size.
   *
   * @return the sample's size, at most the run's query count
   */
  @ActivityMethod
  int sampleAnswers(long evalRunId, int answers);

  /**
   * Answers the sampled queries {@code fromSlot <= slot < toSlot} with the LLM from the passages
   * the query path would give it, scores each answer and stores it. Heartbeats while it works (a
   * single answer may take longer than the heartbeat timeout).
   *
   * <p>Idempotent per query: only queries still pending are answered, and each answer is written to
   * the row keyed by (run, query id), so a retry neither repeats a stored answer nor counts it
   * twice. An LLM that fails makes the query a fallback, stored with its reason, not a failed
   * activity. The scores cover the whole range, read back from the stored rows.
   */
  @ActivityMethod
  AnswerScores answerBatch(long evalRunId, int fromSlot, int toSlot);
}
