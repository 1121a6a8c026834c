package io.engram.workflows.training;

import io.engram.workflows.common.FailureTypes;
import io.engram.workflows.evaluation.EvaluationProgress;
import io.engram.workflows.evaluation.EvaluationRequest;
import io.engram.workflows.evaluation.EvaluationSummary;
import io.engram.workflows.evaluation.EvaluationWorkflow;
import io.engram.workflows.ingestion.DocumentError;
import io.engram.workflows.ingestion.IngestionProgress;
import io.engram.workflows.ingestion.IngestionRequest;
import io.engram.workflows.ingestion.IngestionWorkflow;
import io.engram.workflows.rollout.RolloutRequest;
import io.engram.workflows.rollout.RolloutResult;
import io.engram.workflows.rollout.RolloutSignal;
import io.engram.workflows.rollout.RolloutStatus;
import io.engram.workflows.rollout.RolloutWorkflow;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * Retraining activities that follow a script: the decision, whether the data check fails, how each
 * trial ends and when the search stops, the outcome of the gates. Records every call and the most
 * trials it saw in flight at once.
 */
class ScriptedRetraining implements RetrainingActivities {
  static final String COLLECTION = "scifact";
  static final LabelledSet LABELLED =
      new LabelledSet("scifact", "train", "a".repeat(64), "b".repeat(64));
  static final long STUDY = 7;

  final List<String> calls = Collections.synchronizedList(new ArrayList<>());
  final AtomicInteger inFlight = new AtomicInteger();
  final AtomicInteger maxInFlight = new AtomicInteger();

  boolean retrain = true;
  String reason = "force";
  Integer champion = 1;
  int trials = 10;
  int parallelism = 2;
  String invalidData;

  /** Stop after this many shouldStop calls answered {@code continue}; -1 never. */
  int stopAfter = -1;

  /** How trial {@code n} ends: {@code complete}, {@code pruned}, or {@code fail} (for good). */
  IntFunction<String> trialEnding = n -> "complete";

  boolean gatesPass = true;

  /** Whether a staged candidate's judgement asks for its rollout (ENGRAM_ROLLOUT_AUTO_START). */
  boolean startRollout;

  int candidate = 2;

  /** The champion's other stored eval sets. */
  List<StoredEvalSet> storedEvalSets = List.of();

  private int stopChecks;

  @Override
  public List<String> collections() {
    calls.add("collections");
    return List.of("a", "b");
  }

  @Override
  public RetrainingDecision decide(RetrainingRequest request) {
    calls.add("decide");
    return new RetrainingDecision(
        retrain,
        new RetrainingJob(request.collection(), LABELLED, "f".repeat(64), reason, champion),
        new RetrainingDecision.SearchBudget(trials, parallelism, 600_000));
  }

  @Override
  public String checkData(RetrainingJob job) {
    calls.add("check");
    if (invalidData != null) {
      throw ApplicationFailure.newNonRetryableFailure(
          invalidData, FailureTypes.INVALID_LABELLED_SET);
    }
    return "fine";
  }

  @Override
  public long createStudy(RetrainingJob job) {
    calls.add("study");
    return STUDY;
  }

  @Override
  public TrialResult runTrial(long studyId, int number, RetrainingJob job) {
    calls.add(
        "trial " + number + (job.indexVersion() == null ? "" : " on index " + job.indexVersion()));
    int now = inFlight.incrementAndGet();
    maxInFlight.accumulateAndGet(now, Math::max);
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    inFlight.decrementAndGet();
    String ending = trialEnding.apply(number);
    if (ending.equals("fail")) {
      throw ApplicationFailure.newNonRetryableFailure("trial " + number + " broke", "TrialBroke");
    }
    double value = 0.6 + number / 100.0;
    return new TrialResult(number, ending, value, 1.5, value);
  }

  @Override
  public synchronized SearchVerdict shouldStop(long studyId, long elapsedMillis) {
    calls.add("stop?");
    stopChecks++;
    return stopAfter >= 0 && stopChecks > stopAfter
        ? new SearchVerdict(true, "patience")
        : new SearchVerdict(false, "continue");
  }

  @Override
  public RegisteredCandidate register(RetrainingJob job, Long studyId, Map<String, String> pinned) {
    calls.add(
        "register "
            + studyId
            + " "
            + pinned
            + (job.indexVersion() == null ? "" : " on index " + job.indexVersion()));
    return new RegisteredCandidate(candidate, Map.of("mode", "hybrid"), 0.7);
  }

  @Override
  public List<StoredEvalSet> storedEvalSets(RetrainingJob job) {
    calls.add("stored sets");
    return storedEvalSets;
  }

  @Override
  public Judgement judge(
      RetrainingJob job,
      int candidate,
      long candidateRun,
      Long championRun,
      List<EvalSetRuns> others) {
    calls.add(
        "judge v"
            + candidate
            + " runs "
            + candidateRun
            + ","
            + championRun
            + (others.isEmpty() ? "" : " others " + others));
    return new Judgement(
        gatesPass ? RetrainingResult.STAGED : RetrainingResult.REJECTED,
        List.of(
            new RetrainingResult.Gate("ndcg_floor", true, "0.72 >= 0.5"),
            new RetrainingResult.Gate("improves_on_champion", gatesPass, "+0.01 vs +0.002")),
        gatesPass && startRollout);
  }

  long count(String prefix) {
    synchronized (calls) {
      return calls.stream().filter(c -> c.startsWith(prefix)).count();
    }
  }

  /**
   * The child evaluations: run id 100 + the version evaluated, or, re-measuring the queries of a
   * stored run, 1000 × that run + the version.
   */
  public static class Evaluation implements EvaluationWorkflow {
    private EvaluationSummary result;

    @Override
    public EvaluationSummary evaluate(EvaluationRequest request) {
      int version = Integer.parseInt(request.modelVersion().substring(1));
      result =
          new EvaluationSummary(
              (request.fromRun() == null ? 100 : 1000 * request.fromRun()) + version,
              request.dataset(),
              request.split(),
              request.part(),
              request.collection(),
              request.modelVersion(),
              60,
              0.7,
              0.7,
              0.8,
              0.9,
              10,
              20,
              null);
      return result;
    }

    @Override
    public EvaluationProgress progress() {
      return null;
    }
  }

  /**
   * The child ingestion that rebuilds a candidate index: index version 42, with {@link #failed}
   * documents failed.
   */
  public static class Rebuild implements IngestionWorkflow {
    static volatile int failed;
    static volatile IngestionRequest asked;

    @Override
    public IngestionProgress ingest(IngestionRequest request) {
      asked = request;
      return new IngestionProgress(
          "done",
          10,
          10 - failed,
          0,
          failed,
          0,
          40,
          failed == 0 ? List.of() : List.of(new DocumentError("a.txt", "unreadable")),
          List.of(),
          42,
          null);
    }

    @Override
    public IngestionProgress progress() {
      return null;
    }
  }

  /** A rollout that runs until it is aborted, so a second start of it finds it running. */
  public static class Rollout implements RolloutWorkflow {
    private boolean aborted;

    @Override
    public RolloutResult rollOut(RolloutRequest request) {
      Workflow.await(() -> aborted);
      return new RolloutResult(null, RolloutResult.ROLLED_BACK, "aborted", 0, 0);
    }

    @Override
    public void approve(RolloutSignal signal) {}

    @Override
    public void abort(RolloutSignal signal) {
      aborted = true;
    }

    @Override
    public void pause(RolloutSignal signal) {}

    @Override
    public void resume(RolloutSignal signal) {}

    @Override
    public RolloutStatus status() {
      return null;
    }
  }
}
