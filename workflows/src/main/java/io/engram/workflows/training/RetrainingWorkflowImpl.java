package io.engram.workflows.training;

import io.engram.workflows.common.AbandonedChildren;
import io.engram.workflows.common.ActivityStubs;
import io.engram.workflows.common.EngramSearchAttributes;
import io.engram.workflows.common.FailureTypes;
import io.engram.workflows.common.Failures;
import io.engram.workflows.common.RetryPolicies;
import io.engram.workflows.common.TaskQueues;
import io.engram.workflows.evaluation.EvaluationRequest;
import io.engram.workflows.evaluation.EvaluationSummary;
import io.engram.workflows.evaluation.EvaluationWorkflow;
import io.engram.workflows.ingestion.IndexParams;
import io.engram.workflows.ingestion.IngestionProgress;
import io.engram.workflows.ingestion.IngestionRequest;
import io.engram.workflows.ingestion.IngestionWorkflow;
import io.engram.workflows.rollout.RolloutRequest;
import io.engram.workflows.rollout.RolloutWorkflow;
import io.temporal.common.SearchAttributeUpdate;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;

/**
 * Decide → check the data → (pinned index parameters: rebuild the collection's documents into a
 * candidate index beside the champion's, a child ingestion) → search (at most {@code parallelism}
 * trials at once, pruned by the study and stopped early) → register the best bundle → evaluate it
 * and the champion on the held-out part and on every other eval set the champion has stored figures
 * for (child evaluation workflows, one after the other) → judge the gates → staged or rejected; a
 * staged version starts its rollout when the profile says so ({@code ENGRAM_ROLLOUT_AUTO_START}).
 * History carries ids, parameters and figures, never queries or vectors.
 */
public class RetrainingWorkflowImpl implements RetrainingWorkflow {
  private static final Logger log = Workflow.getLogger(RetrainingWorkflowImpl.class);

  // Registering refits the chosen reranker on every fitting query, after preparing the trial
  // evaluator in a worker that has not (about a minute for SciFact).
  private final RetrainingActivities steps =
      ActivityStubs.heartbeating(
          RetrainingActivities.class,
          Duration.ofMinutes(15),
          Duration.ofMinutes(1),
          RetryPolicies.standard(FailureTypes.INVALID_LABELLED_SET));

  // A trial prepares the legs of every fitting query on first use in a worker, then scores in
  // seconds. A killed worker is noticed within the heartbeat timeout and the trial retried
  // elsewhere; the retry asks the same trial number, so it re-runs the same parameters once.
  private final RetrainingActivities trials =
      ActivityStubs.heartbeating(
          RetrainingActivities.class,
          Duration.ofMinutes(15),
          ActivityStubs.BATCH_HEARTBEAT,
          RetryPolicies.standard());

  /**
   * The change id of the evaluations of the champion's other stored eval sets ({@link
   * #evaluateStoredEvalSets}).
   */
  static final String EVERY_STORED_EVAL_SET = "gates-every-stored-eval-set";

  /**
   * The change id of the candidate index rebuilt for pinned index parameters: from 1 a child
   * ingestion {@code retrain-<collection>-index}; from 2 named {@code retrain-<collection>/index}.
   */
  static final String REBUILT_INDEX = "rebuilt-candidate-index";

  /** The change id of the rollout a staged candidate starts ({@link #startRollout}). */
  static final String STAGED_ROLLOUT = "staged-rollout";

  private String phase = RetrainingProgress.DECIDING;
  private String reason;
  private int finished;
  private int pruned;
  private int failed;
  private Double best;
  private Long studyId;
  private Integer version;

  @Override
  public RetrainingResult retrain(RetrainingRequest request) {
    enter(RetrainingProgress.DECIDING);
    RetrainingDecision decision = steps.decide(request);
    RetrainingJob job = decision.job();
    reason = job.reason();
    Workflow.upsertTypedSearchAttributes(
        SearchAttributeUpdate.valueSet(EngramSearchAttributes.RETRAIN_REASON, reason));
    if (!decision.retrain()) {
      enter(RetrainingProgress.DONE);
      return new RetrainingResult(reason, RetrainingResult.NO_OP, null, List.of(), null);
    }
    try {
      enter(RetrainingProgress.CHECKING);
      steps.checkData(job);
      Map<String, String> pinned = request.params();
      int rebuilt =
          request.indexParams().isEmpty()
              ? Workflow.DEFAULT_VERSION
              : Workflow.getVersion(REBUILT_INDEX, Workflow.DEFAULT_VERSION, 2);
      if (rebuilt != Workflow.DEFAULT_VERSION) {
        enter(RetrainingProgress.INDEXING);
        IngestionProgress index = rebuildIndex(job, request.indexParams(), rebuilt);
        if (index.failed() > 0) {
          enter(RetrainingProgress.FAILED);
          return new RetrainingResult(
              reason, RetrainingResult.FAILED, null, List.of(), rebuildFailure(index));
        }
        job = job.onIndex(index.indexVersionId());
        pinned = request.retrievalParams();
      }
      if (pinned.isEmpty()) {
        enter(RetrainingProgress.SEARCHING);
        studyId = steps.createStudy(job);
        search(job, studyId, decision.budget());
      }
      enter(RetrainingProgress.REGISTERING);
      RegisteredCandidate candidate = steps.register(job, studyId, pinned);
      version = candidate.version();
      enter(RetrainingProgress.EVALUATING);
      // One after the other, so neither's latency is measured while the other loads the machine.
      Long championRun =
          job.champion() == null
              ? null
              : evaluate(job, candidate.version(), job.champion()).get().evalRunId();
      long candidateRun = evaluate(job, candidate.version(), candidate.version()).get().evalRunId();
      List<EvalSetRuns> others = evaluateStoredEvalSets(job, candidate.version());
      enter(RetrainingProgress.GATING);
      Judgement judgement =
          steps.judge(job, candidate.version(), candidateRun, championRun, others);
      String rollout =
          RetrainingResult.STAGED.equals(judgement.outcome()) && judgement.rollout()
              ? startRollout(job, candidate.version())
              : null;
      enter(RetrainingProgress.DONE);
      return new RetrainingResult(
          reason, judgement.outcome(), candidate.version(), judgement.gates(), null, rollout);
    } catch (ActivityFailure | ChildWorkflowFailure e) {
      if (Failures.root(e) instanceof ApplicationFailure af && af.isNonRetryable()) {
        enter(RetrainingProgress.FAILED);
        return new RetrainingResult(
            reason, RetrainingResult.FAILED, version, List.of(), af.getOriginalMessage());
      }
      throw e;
    }
  }

  /**
   * Starts trials until the study says stop, at most {@code budget.parallelism()} at once. A trial
   * whose activity fails for good counts as failed; the search goes on without it.
   */
  private void search(RetrainingJob job, long study, RetrainingDecision.SearchBudget budget) {
    long start = Workflow.currentTimeMillis();
    List<Promise<TrialResult>> running = new ArrayList<>();
    int next = 0;
    boolean stop = false;
    while (true) {
      while (!stop && running.size() < budget.parallelism() && next < budget.trials()) {
        running.add(Async.function(trials::runTrial, study, next++, job));
      }
      if (running.isEmpty()) {
        return;
      }
      List<Promise<TrialResult>> waiting = running;
      Workflow.await(() -> waiting.stream().anyMatch(Promise::isCompleted));
      List<Promise<TrialResult>> still = new ArrayList<>();
      for (Promise<TrialResult> p : running) {
        if (!p.isCompleted()) {
          still.add(p);
          continue;
        }
        finished++;
        TemporalFailure failure = p.getFailure() instanceof TemporalFailure f ? f : null;
        if (failure != null) {
          failed++;
          RetrainingMetrics.trialFinished(RetrainingMetrics.FAILED);
          log.warn("a trial failed: {}", failure.getMessage());
          continue;
        }
        TrialResult r = p.get();
        if (TrialResult.PRUNED.equals(r.state())) {
          pruned++;
        }
        RetrainingMetrics.trialFinished(r.state());
        // The study's best when this trial was told: trials told in another order than they are
        // read here carry older bests, so keep the highest (the objective is maximised).
        if (r.best() != null) {
          best = best == null ? r.best() : Math.max(best, r.best());
        }
      }
      running = still;
      if (!stop) {
        SearchVerdict verdict = steps.shouldStop(study, Workflow.currentTimeMillis() - start);
        stop = verdict.stop();
        if (stop) {
          log.info("search stops: {}", verdict.reason());
        }
      }
    }
  }

  /**
   * Rebuilds the collection's live documents into the index version of the pinned model and
   * chunking (a child ingestion on the ingest queue, beside the champion's index), for the
   * candidate to search and serve.
   */
  private IngestionProgress rebuildIndex(
      RetrainingJob job, Map<String, String> index, int version) {
    IngestionWorkflow child =
        Workflow.newChildWorkflowStub(
            IngestionWorkflow.class,
            ChildWorkflowOptions.newBuilder()
                // From version 2 the suffix has a character no collection name has, so it cannot
                // be the retraining of a collection named "<collection>-index".
                .setWorkflowId(
                    RetrainingWorkflow.workflowId(job.collection())
                        + (version >= 2 ? "/index" : "-index"))
                .setTaskQueue(TaskQueues.INGEST)
                .setTypedSearchAttributes(EngramSearchAttributes.ofCollection(job.collection()))
                .build());
    return child.ingest(
        IngestionRequest.rebuild(
            job.collection(),
            new IndexParams(
                index.get(RetrainingRequest.EMBEDDING_MODEL),
                integer(index.get("chunkSize")),
                integer(index.get("chunkOverlap")))));
  }

  private static Integer integer(String value) {
    return value == null ? null : Integer.valueOf(value.strip());
  }

  private static String rebuildFailure(IngestionProgress index) {
    return "rebuilding the index failed for "
        + index.failed()
        + " of "
        + index.total()
        + " documents"
        + (index.errors().isEmpty()
            ? ""
            : " (first: "
                + index.errors().get(0).source()
                + ": "
                + index.errors().get(0).reason()
                + ")")
        + "; a candidate must hold every document the champion does";
  }

  /**
   * Evaluates the champion and then the candidate on each of the champion's other stored eval sets
   * (the queries of the run its figures came from), so the gates compare them on every stored eval
   * set, not only on this retraining's held-out part. Versioned: retrainings recorded before this
   * existed judge on the held-out part alone.
   */
  private List<EvalSetRuns> evaluateStoredEvalSets(RetrainingJob job, int candidate) {
    if (Workflow.getVersion(EVERY_STORED_EVAL_SET, Workflow.DEFAULT_VERSION, 1)
            == Workflow.DEFAULT_VERSION
        || job.champion() == null) {
      return List.of();
    }
    List<EvalSetRuns> runs = new ArrayList<>();
    for (StoredEvalSet set : steps.storedEvalSets(job)) {
      long championRun =
          evaluate(job, candidate, job.champion(), storedQueries(job, set, job.champion()), set)
              .get()
              .evalRunId();
      long candidateRun =
          evaluate(job, candidate, candidate, storedQueries(job, set, candidate), set)
              .get()
              .evalRunId();
      runs.add(new EvalSetRuns(candidateRun, championRun));
    }
    return runs;
  }

  private static EvaluationRequest storedQueries(
      RetrainingJob job, StoredEvalSet set, int version) {
    return new EvaluationRequest(
        set.dataset(),
        set.split(),
        set.part(),
        job.collection(),
        "v" + version,
        null,
        null,
        null,
        0,
        set.run());
  }

  /**
   * The held-out evaluation of {@code version} for the judgement of {@code candidate}, as a child
   * evaluation workflow.
   */
  private Promise<EvaluationSummary> evaluate(RetrainingJob job, int candidate, int version) {
    LabelledSet l = job.labelled();
    return evaluate(
        job,
        candidate,
        version,
        new EvaluationRequest(
            l.dataset(),
            l.split(),
            "held-out",
            job.collection(),
            "v" + version,
            l.queriesBlob(),
            l.qrelsBlob(),
            null,
            0,
            null),
        null);
  }

  /**
   * {@code request} as a child evaluation workflow of the judgement of {@code candidate}; {@code
   * set} names the stored eval set it measures again, null for the held-out part.
   */
  private Promise<EvaluationSummary> evaluate(
      RetrainingJob job, int candidate, int version, EvaluationRequest request, StoredEvalSet set) {
    EvaluationWorkflow child =
        Workflow.newChildWorkflowStub(
            EvaluationWorkflow.class,
            ChildWorkflowOptions.newBuilder()
                // A candidate's number is never reused, so a later retraining evaluates the
                // champion afresh, and a retried one finds its evaluation.
                .setWorkflowId(
                    RetrainingWorkflow.workflowId(job.collection())
                        + "-v"
                        + candidate
                        + "-eval-v"
                        + version
                        + (set == null ? "" : "-run" + set.run()))
                .setTaskQueue(TaskQueues.TRAINING)
                .build());
    return Async.function(child::evaluate, request);
  }

  /**
   * Starts the staged candidate's rollout (trigger {@code staged}) as an {@linkplain
   * AbandonedChildren abandoned child}, and returns its workflow id once it has started, or when
   * that rollout runs already. Versioned: retrainings whose judgement was recorded before this
   * existed never reach it (their judgement says no rollout), and a worker of the older code
   * replaying a newer history fails loudly instead of silently skipping the start.
   */
  private String startRollout(RetrainingJob job, int candidate) {
    if (Workflow.getVersion(STAGED_ROLLOUT, Workflow.DEFAULT_VERSION, 1)
        == Workflow.DEFAULT_VERSION) {
      return null;
    }
    RolloutWorkflow rollout =
        Workflow.newChildWorkflowStub(
            RolloutWorkflow.class,
            AbandonedChildren.options(RolloutWorkflow.startOptions(job.collection(), candidate)));
    Async.function(
        rollout::rollOut,
        new RolloutRequest(
            job.collection(),
            candidate,
            RolloutRequest.STAGED,
            Workflow.getInfo().getWorkflowId(),
            "staged by a retraining (" + reason + ")",
            null));
    String started = AbandonedChildren.awaitStart(rollout);
    log.info("rollout of v{}: {}", candidate, started);
    return RolloutWorkflow.workflowId(job.collection(), candidate);
  }

  /** Where the retraining is now, for the progress query and the phase counter. */
  private void enter(String next) {
    phase = next;
    RetrainingMetrics.entered(next);
  }

  @Override
  public RetrainingProgress progress() {
    return new RetrainingProgress(phase, reason, finished, pruned, failed, best, studyId, version);
  }
}
