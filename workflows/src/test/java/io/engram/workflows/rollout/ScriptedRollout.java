package io.engram.workflows.rollout;

import io.engram.workflows.common.FailureTypes;
import io.engram.workflows.ingestion.IndexParams;
import io.engram.workflows.ingestion.IngestionProgress;
import io.engram.workflows.ingestion.IngestionRequest;
import io.engram.workflows.ingestion.IngestionWorkflow;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Rollout steps with scripted verdicts: each check answers what {@link #verdicts} says for the
 * phase and step the rollout is in; every call is recorded in order.
 */
final class ScriptedRollout implements RolloutActivities {
  static final String COLLECTION = "zoo";
  static final long ROLLOUT_ID = 7;

  final List<String> calls = Collections.synchronizedList(new ArrayList<>());
  volatile BiFunction<String, Integer, String> verdicts = (phase, step) -> RolloutVerdict.READY;
  volatile boolean autoPromote = true;
  volatile boolean trafficBudgetSpent;
  volatile String failsAtBudgetEnd;
  volatile String refuse;
  volatile String refusePromotion;

  /** What {@link #checkIntegrity} answers: why the ground moved under the rollout, or null. */
  volatile String interference;

  /** The candidate's own index, when it has one (a retraining rebuilt it). */
  volatile IndexParams candidateIndex;

  volatile RolloutStarted.Timings timings =
      new RolloutStarted.Timings(60_000, 60_000, 3_600_000, 15_000, 86_400_000, 86_400_000);

  private volatile String phase = RolloutStatus.SHADOW;
  private volatile int step;

  static RolloutRequest request() {
    return new RolloutRequest(COLLECTION, 2, RolloutRequest.MANUAL, "it", "testing", null);
  }

  @Override
  public RolloutStarted begin(RolloutRequest request) {
    calls.add("begin v" + request.candidate());
    if (refuse != null) {
      throw ApplicationFailure.newNonRetryableFailure(refuse, FailureTypes.ROLLOUT_REFUSED);
    }
    return new RolloutStarted(
        ROLLOUT_ID, 1, request.candidate(), 3, autoPromote, timings, candidateIndex);
  }

  @Override
  public void enter(long rolloutId, String phase, int step) {
    calls.add("enter " + phase + " " + step);
    this.phase = phase;
    this.step = step;
  }

  @Override
  public RolloutVerdict check(long rolloutId) {
    calls.add("check " + phase + " " + step);
    String v = verdicts.apply(phase, step);
    return new RolloutVerdict(
        v, "scripted " + v, 0.04, 9, 3, 3.2, 3.0, trafficBudgetSpent, failsAtBudgetEnd);
  }

  @Override
  public String checkIntegrity(long rolloutId) {
    calls.add("integrity " + phase + " " + step);
    return interference;
  }

  @Override
  public void signal(long rolloutId, String signal, RolloutSignal sent) {
    calls.add("signal " + signal + " by " + sent.actor());
  }

  @Override
  public void promote(long rolloutId, String actor, String reason) {
    calls.add("promote by " + actor + ": " + reason);
    if (refusePromotion != null) {
      throw ApplicationFailure.newNonRetryableFailure(
          refusePromotion, FailureTypes.ROLLOUT_MOVE_REFUSED);
    }
  }

  @Override
  public void rollBack(long rolloutId, String actor, String reason) {
    calls.add("roll back by " + actor + ": " + reason);
  }

  @Override
  public void keep(long rolloutId, String actor, String reason) {
    calls.add("keep by " + actor + ": " + reason);
  }

  long count(String prefix) {
    synchronized (calls) {
      return calls.stream().filter(c -> c.startsWith(prefix)).count();
    }
  }

  List<String> moves() {
    synchronized (calls) {
      return calls.stream()
          .filter(c -> !c.startsWith("check ") && !c.startsWith("integrity "))
          .toList();
    }
  }

  /** The child ingestion that catches a candidate's index up: {@link #failed} documents fail. */
  public static class CatchUp implements IngestionWorkflow {
    static volatile int failed;
    static volatile IngestionRequest asked;

    /** The workflow ids of the catch-ups run, in order. */
    static final List<String> ran = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** How long the catch-up takes, in workflow time. */
    static volatile Duration takes = Duration.ZERO;

    @Override
    public IngestionProgress ingest(IngestionRequest request) {
      asked = request;
      ran.add(Workflow.getInfo().getWorkflowId());
      if (!takes.isZero()) {
        Workflow.sleep(takes);
      }
      return new IngestionProgress(
          "done", 10, 3 - failed, 7, failed, 0, 9, List.of(), List.of(), 42, null);
    }

    @Override
    public IngestionProgress progress() {
      return null;
    }
  }
}
