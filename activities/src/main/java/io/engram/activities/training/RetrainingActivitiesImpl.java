package io.engram.activities.training;

import io.engram.activities.common.HeartbeatTicker;
import io.engram.core.registry.RegisteredVersion;
import io.engram.core.training.InvalidLabelledSetException;
import io.engram.core.training.LabelledSet;
import io.engram.core.training.RetrainingService;
import io.engram.core.tuning.EarlyStopping;
import io.engram.workflows.common.FailureTypes;
import io.engram.workflows.training.EvalSetRuns;
import io.engram.workflows.training.Judgement;
import io.engram.workflows.training.RegisteredCandidate;
import io.engram.workflows.training.RetrainingActivities;
import io.engram.workflows.training.RetrainingDecision;
import io.engram.workflows.training.RetrainingJob;
import io.engram.workflows.training.RetrainingRequest;
import io.engram.workflows.training.RetrainingResult;
import io.engram.workflows.training.SearchVerdict;
import io.engram.workflows.training.StoredEvalSet;
import io.engram.workflows.training.TrialResult;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.activity.ActivityInfo;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Thin adapter from the retraining activities to {@link RetrainingService}: translates the
 * workflow's records, heartbeats while a step works, and fails for good ({@code
 * InvalidLabelledSet}) on data no retry can fix. Database errors propagate and are retried.
 */
public class RetrainingActivitiesImpl implements RetrainingActivities {
  /** Well inside the trial activities' 30-second heartbeat timeout. */
  static final Duration HEARTBEAT_EVERY = Duration.ofSeconds(5);

  private final RetrainingService service;
  private final boolean startRollouts;

  /**
   * @param startRollouts whether a staged version starts its rollout by itself (the profile's
   *     {@code ENGRAM_ROLLOUT_AUTO_START})
   */
  public RetrainingActivitiesImpl(RetrainingService service, boolean startRollouts) {
    this.service = service;
    this.startRollouts = startRollouts;
  }

  @Override
  public List<String> collections() {
    return service.collections();
  }

  @Override
  public RetrainingDecision decide(RetrainingRequest request) {
    RetrainingService.Plan plan =
        call(
            () ->
                service.decide(
                    new RetrainingService.Ask(
                        request.collection(),
                        request.force(),
                        RetrainingRequest.DRIFT.equals(request.trigger()),
                        core(request.labelled()))));
    var search = service.settings().search();
    return new RetrainingDecision(
        plan.retrain(),
        new RetrainingJob(
            request.collection(),
            wire(plan.labelled()),
            plan.fingerprint(),
            plan.reason(),
            plan.champion()),
        new RetrainingDecision.SearchBudget(
            search.trials(), search.parallelism(), search.timeBudget().toMillis()));
  }

  @Override
  public String checkData(RetrainingJob job) {
    return call(() -> service.check(job.collection(), core(job.labelled())));
  }

  @Override
  public long createStudy(RetrainingJob job) {
    ActivityInfo info = Activity.getExecutionContext().getInfo();
    return service.createStudy(
        job.collection(),
        RetrainingService.studyKey(info.getWorkflowId(), info.getRunId()),
        job.champion());
  }

  @Override
  public TrialResult runTrial(long studyId, int number, RetrainingJob job) {
    ActivityExecutionContext ctx = Activity.getExecutionContext();
    try (HeartbeatTicker ticker = new HeartbeatTicker(ctx::heartbeat, HEARTBEAT_EVERY)) {
      RetrainingService.TrialOutcome t =
          service.runTrial(
              studyId,
              number,
              job.collection(),
              core(job.labelled()),
              job.indexVersion(),
              ticker::progress);
      return new TrialResult(t.number(), t.state(), t.value(), t.costSeconds(), t.best());
    }
  }

  @Override
  public SearchVerdict shouldStop(long studyId, long elapsedMillis) {
    EarlyStopping.Verdict v = service.shouldStop(studyId, Duration.ofMillis(elapsedMillis));
    return new SearchVerdict(v.stop(), v.stop() ? v.reason().stored() : "continue");
  }

  @Override
  public RegisteredCandidate register(RetrainingJob job, Long studyId, Map<String, String> pinned) {
    ActivityExecutionContext ctx = Activity.getExecutionContext();
    ActivityInfo info = ctx.getInfo();
    try (HeartbeatTicker ticker = new HeartbeatTicker(ctx::heartbeat, HEARTBEAT_EVERY)) {
      RegisteredVersion v =
          call(
              () ->
                  service.register(
                      job.collection(),
                      plan(job),
                      studyId,
                      pinned,
                      info.getWorkflowId() + "/" + info.getRunId(),
                      info.getWorkflowId()));
      Map<String, String> params = new TreeMap<>();
      Object stored = v.lineage().get("params");
      if (stored instanceof Map<?, ?> m) {
        m.forEach((k, value) -> params.put(k.toString(), String.valueOf(value)));
      }
      Object fit =
          v.metrics().entrySet().stream()
              .filter(e -> e.getKey().endsWith(RetrainingService.FIT_VALIDATION))
              .map(e -> e.getValue().get("ndcgAt10"))
              .filter(Number.class::isInstance)
              .findFirst()
              .orElse(0.0);
      return new RegisteredCandidate(v.version(), params, ((Number) fit).doubleValue());
    }
  }

  @Override
  public List<StoredEvalSet> storedEvalSets(RetrainingJob job) {
    return service.storedEvalSets(job.collection(), job.champion(), core(job.labelled())).stream()
        .map(
            run ->
                new StoredEvalSet(
                    run.evalSet().dataset(), run.evalSet().split(), run.evalSet().part(), run.id()))
        .toList();
  }

  @Override
  public Judgement judge(
      RetrainingJob job,
      int candidate,
      long candidateRun,
      Long championRun,
      List<EvalSetRuns> others) {
    List<RetrainingService.EvalRuns> runs = new ArrayList<>();
    runs.add(new RetrainingService.EvalRuns(candidateRun, championRun));
    if (others != null) {
      others.forEach(
          o -> runs.add(new RetrainingService.EvalRuns(o.candidateRun(), o.championRun())));
    }
    RegisteredVersion v =
        service.judge(
            job.collection(), candidate, job.champion(), core(job.labelled()), runs, workflowId());
    boolean staged = !v.status().equals(RegisteredVersion.REJECTED);
    return new Judgement(
        staged ? RetrainingResult.STAGED : RetrainingResult.REJECTED,
        v.gates().stream()
            .map(g -> new RetrainingResult.Gate(g.name(), g.passed(), g.reason()))
            .toList(),
        staged && startRollouts);
  }

  private static RetrainingService.Plan plan(RetrainingJob job) {
    return new RetrainingService.Plan(
        true,
        job.reason(),
        core(job.labelled()),
        job.fingerprint(),
        job.champion(),
        job.indexVersion());
  }

  private static String workflowId() {
    return Activity.getExecutionContext().getInfo().getWorkflowId();
  }

  private static LabelledSet core(io.engram.workflows.training.LabelledSet l) {
    return l == null
        ? null
        : new LabelledSet(l.dataset(), l.split(), l.queriesBlob(), l.qrelsBlob());
  }

  private static io.engram.workflows.training.LabelledSet wire(LabelledSet l) {
    return l == null
        ? null
        : new io.engram.workflows.training.LabelledSet(
            l.dataset(), l.split(), l.queriesBlob(), l.qrelsBlob());
  }

  /** A step that may find the labelled set unusable: that fails the activity for good. */
  @FunctionalInterface
  private interface Step<T> {
    T run() throws InvalidLabelledSetException;
  }

  private static <T> T call(Step<T> step) {
    try {
      return step.run();
    } catch (InvalidLabelledSetException e) {
      throw ApplicationFailure.newNonRetryableFailure(
          e.getMessage(), FailureTypes.INVALID_LABELLED_SET);
    }
  }
}
