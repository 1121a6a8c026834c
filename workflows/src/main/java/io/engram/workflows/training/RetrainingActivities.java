package io.engram.workflows.training;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;
import java.util.Map;

/**
 * The steps of a retraining. Each is safe to retry: decisions and checks only read; the study is
 * created once per workflow id; a trial is asked, reported and told by its number, so a retried
 * trial re-evaluates the same parameters and never adds a row; a candidate is registered once per
 * workflow run (its origin); the judgement stores its verdict once.
 */
@ActivityInterface
public interface RetrainingActivities {

  /** The collections that have a serving model (a champion), in name order. */
  @ActivityMethod(name = "RetrainCollections")
  List<String> collections();

  /** Should-retrain: the reason, the labelled set to use and the fingerprint of the data. */
  @ActivityMethod(name = "RetrainDecide")
  RetrainingDecision decide(RetrainingRequest request);

  /**
   * Checks the labelled set: qrels point at documents of the collection, enough queries in both
   * parts, no query in both. Fails for good ({@code InvalidLabelledSet}) with the reason; returns a
   * one-line summary of what was checked.
   */
  @ActivityMethod(name = "RetrainCheckData")
  String checkData(RetrainingJob job);

  /** Creates the study of this run (warm-started from the collection's previous one). */
  @ActivityMethod(name = "RetrainCreateStudy")
  long createStudy(RetrainingJob job);

  /** Asks, evaluates (with partial steps the pruner may stop) and tells trial {@code number}. */
  @ActivityMethod(name = "RetrainRunTrial")
  TrialResult runTrial(long studyId, int number, RetrainingJob job);

  /** Early stopping over the study's trials after {@code elapsedMillis} of search. */
  @ActivityMethod(name = "RetrainShouldStop")
  SearchVerdict shouldStop(long studyId, long elapsedMillis);

  /**
   * Registers the best bundle (the study's best trial, or {@code pinned} parameters when the caller
   * fixed them; the final reranker trained on every fitting query and stored as an artifact) as a
   * new version without aliases, pending the gates.
   */
  @ActivityMethod(name = "RetrainRegister")
  RegisteredCandidate register(RetrainingJob job, Long studyId, Map<String, String> pinned);

  /**
   * The champion's other stored eval sets (besides the held-out part of the job's labelled set),
   * each as the run its figures came from; empty without a champion. Only reads.
   */
  @ActivityMethod(name = "RetrainStoredEvalSets")
  List<StoredEvalSet> storedEvalSets(RetrainingJob job);

  /**
   * Stores the candidate's and the champion's figures from their evaluation runs (the held-out
   * part, and {@code others}: the champion's other stored eval sets), judges the gates, and stages
   * the candidate (alias {@code staging}) or rejects it, with the reasons.
   *
   * @param others the runs of the champion's other stored eval sets; empty, or null in histories
   *     recorded before they were measured
   */
  @ActivityMethod(name = "RetrainJudge")
  Judgement judge(
      RetrainingJob job,
      int candidate,
      long candidateRun,
      Long championRun,
      List<EvalSetRuns> others);
}
