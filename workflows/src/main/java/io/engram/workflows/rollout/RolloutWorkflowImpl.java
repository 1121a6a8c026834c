package io.engram.workflows.rollout;

import io.engram.workflows.common.ActivityStubs;
import io.engram.workflows.common.EngramSearchAttributes;
import io.engram.workflows.common.FailureTypes;
import io.engram.workflows.common.Failures;
import io.engram.workflows.common.RetryPolicies;
import io.engram.workflows.common.TaskQueues;
import io.engram.workflows.ingestion.IndexParams;
import io.engram.workflows.ingestion.IngestionProgress;
import io.engram.workflows.ingestion.IngestionRequest;
import io.engram.workflows.ingestion.IngestionWorkflow;
import io.temporal.common.RetryOptions;
import io.temporal.common.SearchAttributeUpdate;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;

/**
 * Begin (shadow) → every check interval: handle signals, check the figures (while paused, only
 * whether the champion or the candidate was changed by hand), act → decide. Shadow ends once it is
 * ready (enough comparisons, nothing wrong) and has baked; each canary step the same, up to the
 * last, which holds until the sequential test decides or a budget is spent. A failed guardrail or a
 * worse candidate rolls back at once; a better one is promoted (or waits for approval); an
 * undecided one ends at its time or traffic budget keeping the champion. History carries ids,
 * verdicts and figures, never queries.
 */
public class RolloutWorkflowImpl implements RolloutWorkflow {
  private static final Logger log = Workflow.getLogger(RolloutWorkflowImpl.class);

  /** Who the audit names for what the workflow decides by itself. */
  static final String WORKFLOW = "rollout";

  /**
   * Events after which a rollout continues as new: one check adds about eight, and a production
   * rollout checks every minute for days.
   */
  static final int MAX_HISTORY = 8_000;

  /**
   * Version of a refused promotion: from 1, a promotion the state refuses for good (the candidate
   * archived, the champion moved) rolls back with the reason; before, the promote activity could
   * only retry, holding the workflow and any abort.
   */
  static final String REFUSED_PROMOTION = "rollout-refused-promotion";

  /**
   * Version of a rollout ending undecided at a budget: from 1, a candidate whose errors exceed the
   * plan's rate (too few to fail a check) rolls back instead of being kept as "no difference".
   */
  static final String ERRORS_AT_BUDGET_END = "rollout-errors-at-budget-end";

  /**
   * Version of the words of a rollout ending at its time budget before its phase had the traffic it
   * needs: from 1, "not enough traffic to decide", where it said "no difference".
   */
  static final String TOO_LITTLE_TRAFFIC = "rollout-too-little-traffic";

  /**
   * Version of a promotion of a candidate on an index of its own: from 1, that index is caught up
   * with the collection's documents first (a child ingestion); from 2, once more after the aliases
   * moved, for what was ingested meanwhile into the old champion's index.
   */
  static final String INDEX_CATCH_UP = "rollout-index-catch-up";

  /**
   * The change after which a candidate on an index of its own has it caught up before its shadow
   * begins: what was ingested while it was trained and staged reached it only if an ingestion ran
   * meanwhile, and its shadow and canary are compared with a champion that has it all.
   */
  static final String INDEX_CATCH_UP_AT_START = "rollout-index-catch-up-at-start";

  /**
   * Version of a paused rollout's checks: from 1, a paused rollout still checks, at its check
   * interval, whether its ground moved (the champion alias moved by hand, the candidate archived or
   * no longer registered), not its figures, and ends as it would unpaused; before, it checked
   * nothing until resumed and went on reporting its canary split meanwhile.
   */
  static final String INTEGRITY_WHILE_PAUSED = "rollout-integrity-while-paused";

  private final RolloutActivities steps =
      ActivityStubs.stub(
          RolloutActivities.class,
          Duration.ofMinutes(1),
          RetryPolicies.standard(FailureTypes.ROLLOUT_REFUSED));

  // A move, a signal's effect or a decision must land, or routing would stay split between the
  // versions with nobody watching it: retried for as long as it takes, visible as a pending
  // activity meanwhile. Only a promotion the state refuses fails for good (RolloutMoveRefused),
  // and the rollout then rolls back.
  private final RolloutActivities moves =
      Workflow.newActivityStub(
          RolloutActivities.class,
          ActivityStubs.options(
                  Duration.ofMinutes(1),
                  RetryOptions.newBuilder(RetryPolicies.standard()).setMaximumAttempts(0).build())
              .build());

  private final List<RolloutRequest.Signalled> pending = new ArrayList<>();
  private RolloutRequest request;
  private RolloutStarted started;
  private String phase = RolloutStatus.STARTING;
  private int step;
  private long phaseStart;
  private long begun;
  private long pausedAt;
  private RolloutVerdict last;
  private RolloutResult result;

  @Override
  public RolloutResult rollOut(RolloutRequest request) {
    this.request = request;
    if (request.carried() == null) {
      begun = Workflow.currentTimeMillis();
      try {
        started = steps.begin(request);
      } catch (ActivityFailure e) {
        if (e.getCause() instanceof ApplicationFailure af && af.isNonRetryable()) {
          log.warn("rollout refused: {}", af.getOriginalMessage());
          return finish(null, RolloutResult.REFUSED, af.getOriginalMessage());
        }
        throw e;
      }
      Workflow.upsertTypedSearchAttributes(
          SearchAttributeUpdate.valueSet(
              EngramSearchAttributes.CHAMPION_VERSION, "v" + started.champion()));
      if (started.candidateIndex() != null
          && Workflow.getVersion(INDEX_CATCH_UP_AT_START, Workflow.DEFAULT_VERSION, 1) == 1) {
        catchUpLogged(
            "-index-start", "before its shadow", "they are caught up again before a promotion");
      }
      moved(RolloutStatus.SHADOW, 0);
    } else {
      RolloutRequest.Carried c = request.carried();
      started = c.started();
      phase = c.phase();
      step = c.step();
      phaseStart = c.phaseStartMs();
      begun = c.begunMs();
      pausedAt = c.pausedAtMs();
      last = c.last();
      pending.addAll(0, c.signals());
    }
    RolloutStarted.Timings t = started.timings();
    while (result == null) {
      if (Workflow.getInfo().getHistoryLength() > MAX_HISTORY) {
        Workflow.continueAsNew(
            request.continuing(
                new RolloutRequest.Carried(
                    started,
                    phase,
                    step,
                    phaseStart,
                    begun,
                    pausedAt,
                    last,
                    List.copyOf(pending))));
      }
      Workflow.await(Duration.ofMillis(t.checkIntervalMs()), () -> !pending.isEmpty());
      handleSignals();
      if (result == null) {
        tick(t);
      }
    }
    return result;
  }

  /** One check and what follows from it. */
  private void tick(RolloutStarted.Timings t) {
    long now = Workflow.currentTimeMillis();
    if (pausedAt > 0) {
      if (Workflow.getVersion(INTEGRITY_WHILE_PAUSED, Workflow.DEFAULT_VERSION, 1)
              != Workflow.DEFAULT_VERSION
          && groundMovedWhilePaused()) {
        return;
      }
      if (now - pausedAt >= t.maxPauseMs()) {
        keep("paused for longer than " + duration(t.maxPauseMs()));
      }
      return;
    }
    RolloutVerdict v;
    try {
      v = steps.check(rolloutId());
    } catch (ActivityFailure e) {
      // Figures that cannot be read now are read at the next check; routing stays as it is.
      log.warn("rollout {}: the check failed: {}", rolloutId(), e.getMessage());
      return;
    }
    last = v;
    if (v.failed()) {
      rollBack(WORKFLOW, v.reason());
      return;
    }
    if (RolloutStatus.AWAITING_APPROVAL.equals(phase)) {
      if (now - phaseStart >= t.approvalTimeoutMs()) {
        keep("no approval within " + duration(t.approvalTimeoutMs()) + "; " + v.reason());
      }
      return;
    }
    if (RolloutVerdict.BETTER.equals(v.verdict())) {
      if (started.autoPromote()) {
        promote(WORKFLOW, v.reason());
      } else {
        enter(RolloutStatus.AWAITING_APPROVAL, step);
      }
      return;
    }
    if (v.trafficBudgetSpent()) {
      undecided("no difference within the traffic budget", v);
      return;
    }
    if (now - begun >= t.timeBudgetMs()) {
      String budget = " within the time budget of " + duration(t.timeBudgetMs());
      boolean starved =
          RolloutVerdict.WAIT.equals(v.verdict())
              && Workflow.getVersion(TOO_LITTLE_TRAFFIC, Workflow.DEFAULT_VERSION, 1)
                  != Workflow.DEFAULT_VERSION;
      undecided(starved ? "not enough traffic to decide" + budget : "no difference" + budget, v);
      return;
    }
    long bake = RolloutStatus.SHADOW.equals(phase) ? t.shadowBakeMs() : t.stepBakeMs();
    if (RolloutVerdict.READY.equals(v.verdict()) && now - phaseStart >= bake) {
      if (RolloutStatus.SHADOW.equals(phase)) {
        enter(RolloutStatus.CANARY, 1);
      } else if (step < started.steps()) {
        enter(RolloutStatus.CANARY, step + 1);
      }
    }
  }

  /**
   * A paused rollout's check: not its figures (a pause means it neither advances nor decides by
   * them), only whether what it compares still stands. When it does not, the rollout rolls back (or
   * ends superseded, its candidate made champion by hand) as it would unpaused; returns whether it
   * did.
   */
  private boolean groundMovedWhilePaused() {
    String moved;
    try {
      moved = steps.checkIntegrity(rolloutId());
    } catch (ActivityFailure e) {
      // Checked again at the next interval; routing stays as it is.
      log.warn("rollout {}: the check while paused failed: {}", rolloutId(), e.getMessage());
      return false;
    }
    if (moved == null) {
      return false;
    }
    rollBack(WORKFLOW, moved);
    return true;
  }

  /** Audits and acts on the signals received, oldest first, until one decides. */
  private void handleSignals() {
    while (!pending.isEmpty() && result == null) {
      RolloutRequest.Signalled s = pending.remove(0);
      RolloutSignal sent = s.signal();
      moves.signal(rolloutId(), s.name(), sent);
      String why = why(s);
      long now = Workflow.currentTimeMillis();
      switch (s.name()) {
        case "approve" -> promote(sent.actor(), why);
        case "abort" -> rollBack(sent.actor(), why);
        case "pause" -> {
          if (pausedAt == 0) {
            pausedAt = now;
          }
        }
        case "resume" -> {
          if (pausedAt > 0) {
            // The time paused does not count towards the phase's bake.
            phaseStart += now - pausedAt;
            pausedAt = 0;
          }
        }
        default -> log.warn("unknown signal {}", s.name());
      }
    }
  }

  /**
   * Ends a rollout undecided at a budget: keeps the champion, unless the candidate failed on more
   * of its queries than the plan allows, though too few for a check to fail it: then it rolls back.
   */
  private void undecided(String noDifference, RolloutVerdict v) {
    if (v.failsAtBudgetEnd() != null
        && Workflow.getVersion(ERRORS_AT_BUDGET_END, Workflow.DEFAULT_VERSION, 1)
            != Workflow.DEFAULT_VERSION) {
      rollBack(WORKFLOW, noDifference + ", but " + v.failsAtBudgetEnd());
      return;
    }
    keep(noDifference + ": " + v.reason());
  }

  private void enter(String next, int nextStep) {
    moves.enter(rolloutId(), next, nextStep);
    moved(next, nextStep);
  }

  private void moved(String next, int nextStep) {
    phase = next;
    step = nextStep;
    phaseStart = Workflow.currentTimeMillis();
    Workflow.upsertTypedSearchAttributes(
        SearchAttributeUpdate.valueSet(EngramSearchAttributes.ROLLOUT_PHASE, next));
  }

  private void promote(String actor, String reason) {
    int catchUp =
        started.candidateIndex() == null
            ? Workflow.DEFAULT_VERSION
            : Workflow.getVersion(INDEX_CATCH_UP, Workflow.DEFAULT_VERSION, 2);
    if (catchUp != Workflow.DEFAULT_VERSION && !caughtUpBeforePromotion()) {
      return;
    }
    try {
      moves.promote(rolloutId(), actor, reason);
    } catch (ActivityFailure e) {
      if (!(e.getCause() instanceof ApplicationFailure af
              && FailureTypes.ROLLOUT_MOVE_REFUSED.equals(af.getType()))
          || Workflow.getVersion(REFUSED_PROMOTION, Workflow.DEFAULT_VERSION, 1)
              == Workflow.DEFAULT_VERSION) {
        throw e;
      }
      log.warn("rollout {}: the promotion was refused: {}", rolloutId(), af.getOriginalMessage());
      rollBack(WORKFLOW, "the promotion was refused: " + af.getOriginalMessage());
      return;
    }
    if (catchUp >= 2) {
      // What ingestions discovered during the first catch-up went to the old champion's index;
      // from the move on, they write to this one. A second pass embeds what the first missed.
      catchUpLogged("-index-after", "after the promotion", "ingest their sources again");
    }
    finish(rolloutId(), RolloutResult.PROMOTED, reason);
  }

  /**
   * A catch-up of the candidate's own index whose failure is logged, not fatal: before its shadow
   * (nothing is served from the candidate yet, and a promotion needs the index caught up again) and
   * after its promotion (the documents are in the old champion's index).
   *
   * @param when when it runs, for the log
   * @param remedy what the documents that failed to reach the index need, for the log
   */
  private void catchUpLogged(String suffix, String when, String remedy) {
    try {
      IngestionProgress caughtUp = catchUpIndex(started.candidateIndex(), suffix);
      if (caughtUp.failed() > 0) {
        log.warn(
            "rollout {}: {} documents failed to reach the candidate's index {}; {}",
            rolloutId(),
            caughtUp.failed(),
            when,
            remedy);
      }
    } catch (ChildWorkflowFailure e) {
      log.warn(
          "rollout {}: catching the candidate's index up {} failed: {}",
          rolloutId(),
          when,
          Failures.reason(e));
    }
  }

  /**
   * Catches the candidate's own index up before it is promoted; false when the rollout was rolled
   * back instead: the catch-up failed, or an abort arrived while it ran (minutes, for many new
   * documents), which wins.
   */
  private boolean caughtUpBeforePromotion() {
    IngestionProgress caughtUp;
    try {
      caughtUp = catchUpIndex(started.candidateIndex(), "-index");
    } catch (ChildWorkflowFailure e) {
      rollBack(WORKFLOW, "catching the candidate's index up failed: " + Failures.reason(e));
      return false;
    }
    if (caughtUp.failed() > 0) {
      rollBack(
          WORKFLOW,
          "catching the candidate's index up failed for "
              + caughtUp.failed()
              + " of "
              + caughtUp.total()
              + " documents; it would serve without them");
      return false;
    }
    for (RolloutRequest.Signalled s : List.copyOf(pending)) {
      if (s.name().equals("abort")) {
        pending.remove(s);
        moves.signal(rolloutId(), s.name(), s.signal());
        rollBack(s.signal().actor(), why(s) + " while the candidate's index was caught up");
        return false;
      }
    }
    return true;
  }

  /** What a signal says happened, for the audit: {@code aborted by ops: wrong corpus}. */
  private static String why(RolloutRequest.Signalled s) {
    RolloutSignal sent = s.signal();
    return (s.name().equals("abort") ? "aborted" : s.name() + "d")
        + " by "
        + sent.actor()
        + (blank(sent.reason()) ? "" : ": " + sent.reason());
  }

  /**
   * Brings the candidate's own index up to the collection's documents (those ingested since it was
   * rebuilt went to the champion's), as a child ingestion that embeds only what the index lacks.
   */
  private IngestionProgress catchUpIndex(IndexParams index, String suffix) {
    IngestionWorkflow child =
        Workflow.newChildWorkflowStub(
            IngestionWorkflow.class,
            ChildWorkflowOptions.newBuilder()
                .setWorkflowId(
                    RolloutWorkflow.workflowId(request.collection(), request.candidate()) + suffix)
                .setTaskQueue(TaskQueues.INGEST)
                .setTypedSearchAttributes(EngramSearchAttributes.ofCollection(request.collection()))
                .build());
    return child.ingest(IngestionRequest.rebuild(request.collection(), index));
  }

  private void rollBack(String actor, String reason) {
    moves.rollBack(rolloutId(), actor, reason);
    finish(rolloutId(), RolloutResult.ROLLED_BACK, reason);
  }

  private void keep(String reason) {
    moves.keep(rolloutId(), WORKFLOW, reason);
    finish(rolloutId(), RolloutResult.KEPT, reason);
  }

  private RolloutResult finish(Long rolloutId, String decision, String reason) {
    result =
        new RolloutResult(
            rolloutId,
            decision,
            reason,
            last == null ? 0 : last.exposure(),
            (Workflow.currentTimeMillis() - begun) / 1000);
    phase = decision;
    Workflow.upsertTypedSearchAttributes(
        SearchAttributeUpdate.valueSet(EngramSearchAttributes.ROLLOUT_PHASE, decision));
    return result;
  }

  private long rolloutId() {
    return started.rolloutId();
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  /** A duration in the largest whole unit that fits: {@code 90s}, {@code 10m}, {@code 3d}. */
  static String duration(long millis) {
    if (millis % 86_400_000 == 0 && millis > 0) {
      return millis / 86_400_000 + "d";
    }
    if (millis % 3_600_000 == 0 && millis > 0) {
      return millis / 3_600_000 + "h";
    }
    if (millis % 60_000 == 0 && millis > 0) {
      return millis / 60_000 + "m";
    }
    return String.format(Locale.ROOT, "%.0fs", millis / 1000.0);
  }

  private void received(String name, RolloutSignal signal) {
    pending.add(new RolloutRequest.Signalled(name, signal));
  }

  @Override
  public void approve(RolloutSignal signal) {
    received("approve", signal);
  }

  @Override
  public void abort(RolloutSignal signal) {
    received("abort", signal);
  }

  @Override
  public void pause(RolloutSignal signal) {
    received("pause", signal);
  }

  @Override
  public void resume(RolloutSignal signal) {
    received("resume", signal);
  }

  @Override
  public RolloutStatus status() {
    return new RolloutStatus(
        started == null ? null : started.rolloutId(),
        request == null ? null : request.collection(),
        started == null ? 0 : started.champion(),
        request == null ? 0 : request.candidate(),
        phase,
        step,
        pausedAt > 0,
        last,
        result);
  }
}
