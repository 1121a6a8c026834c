package io.engram.core.rollout;

import io.engram.core.index.IndexVersion;
import io.engram.core.index.IndexVersions;
import io.engram.core.query.UnknownResourceException;
import io.engram.core.registry.ModelAliases;
import io.engram.core.registry.ModelRegistry;
import io.engram.core.registry.ModelVersions;
import io.engram.core.registry.RegisteredVersion;
import io.engram.core.registry.RegistryConflictException;
import io.engram.core.rollout.RolloutObservations.ArmStats;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * The steps of a rollout that touch state, for the workflow's activities and the API: begin, move
 * between phases, check the figures, record signals, and decide (promote, roll back, keep) or undo.
 * Each step is one transaction, and each is safe to repeat: a begin is found again by its workflow
 * run, events carry the key of the activity that wrote them, and a decision ends a rollout only
 * while it runs.
 */
public final class RolloutService {
  /** Who the audit names for what the rollout workflow does by itself. */
  public static final String WORKFLOW = "rollout";

  /** How often {@link #awaitSignal} looks whether the workflow has taken the signal. */
  static final Duration SIGNAL_POLL = Duration.ofMillis(100);

  private final Jdbi jdbi;
  private final ModelRegistry registry;
  private final IndexVersions indexVersions;
  private final Rollouts rollouts;
  private final RolloutEvents events;
  private final RolloutObservations observations;
  private final RolloutSettings settings;
  private final Clock clock;

  public RolloutService(
      Jdbi jdbi,
      ModelRegistry registry,
      IndexVersions indexVersions,
      Rollouts rollouts,
      RolloutEvents events,
      RolloutObservations observations,
      RolloutSettings settings,
      Clock clock) {
    this.jdbi = jdbi;
    this.registry = registry;
    this.indexVersions = indexVersions;
    this.rollouts = rollouts;
    this.events = events;
    this.observations = observations;
    this.settings = settings;
    this.clock = clock;
  }

  public RolloutSettings settings() {
    return settings;
  }

  /**
   * The index version the rollout's candidate searches when it is not the one its champion searches
   * (a retraining rebuilt it with other chunking); empty when both search one index.
   */
  public Optional<IndexVersion> candidateIndex(Rollout rollout) {
    RegisteredVersion champion = registry.byId(rollout.champion().id()).orElseThrow();
    RegisteredVersion candidate = registry.byId(rollout.candidate().id()).orElseThrow();
    return candidate.indexVersionId() == champion.indexVersionId()
        ? Optional.empty()
        : indexVersions.byId(candidate.indexVersionId());
  }

  public Rollouts rollouts() {
    return rollouts;
  }

  public RolloutEvents events() {
    return events;
  }

  /**
   * What a rollout starts with.
   *
   * @param trigger {@code manual} or {@code staged}
   * @param overrides the starter's changes to the profile's plan
   */
  public record Start(
      String workflowId,
      String runId,
      String collection,
      int candidate,
      String trigger,
      String actor,
      String reason,
      RolloutPlan.Overrides overrides) {}

  /**
   * Checks that {@code candidate} of {@code collection} can be rolled out now and returns the plan
   * it would follow, without starting anything: the API answers a bad request before a workflow
   * starts.
   *
   * @throws UnknownResourceException when the collection has no such version
   * @throws RolloutConflictException when the version cannot be rolled out now
   * @throws IllegalArgumentException when the overrides do not make a valid plan
   */
  public RolloutPlan validate(String collection, int candidate, RolloutPlan.Overrides overrides) {
    RolloutPlan plan = settings.plan().with(overrides);
    RegisteredVersion version = registry.require(collection, candidate);
    requireRollable(collection, version);
    rollouts
        .running(collection)
        .ifPresent(
            r -> {
              throw new RolloutConflictException(
                  "rollout "
                      + r.workflowId()
                      + " of "
                      + r.candidateLabel()
                      + " is running; abort it or wait for its decision");
            });
    return plan;
  }

  /**
   * Begins a rollout: stores it running in shadow with the plan, and audits the start. A second
   * begin of the same workflow run returns the first.
   */
  public Rollout begin(Start start) {
    RolloutPlan plan = settings.plan().with(start.overrides());
    RegisteredVersion candidate = registry.require(start.collection(), start.candidate());
    RegisteredVersion champion = requireRollable(start.collection(), candidate);
    long id =
        jdbi.inTransaction(
            h -> {
              long row =
                  Rollouts.insert(
                      h,
                      new Rollouts.NewRollout(
                          start.workflowId(),
                          start.runId(),
                          start.collection(),
                          champion.id(),
                          candidate.id(),
                          start.trigger(),
                          start.actor(),
                          start.reason(),
                          plan));
              RolloutEvents.record(
                  h,
                  row,
                  RolloutEvents.PHASE,
                  Phase.SHADOW,
                  "started by "
                      + start.actor()
                      + " ("
                      + start.trigger()
                      + "): "
                      + candidate.label()
                      + " against "
                      + champion.label()
                      + (start.reason() == null ? "" : "; " + start.reason())
                      + "; shadow at "
                      + percent(plan.shadowShare()),
                  start.actor(),
                  plan.toJson(),
                  start.runId() + "/begin");
              return row;
            });
    return rollouts.find(id).orElseThrow();
  }

  /**
   * Moves a running rollout to {@code phase} ({@code step} from 1 in the canary), with the shares
   * the plan gives it there, and audits the move.
   */
  public Rollout enter(long rolloutId, String phase, int step, String eventKey) {
    Rollout r = require(rolloutId);
    RolloutPlan plan = r.plan();
    double shadow = 0;
    double candidate = 0;
    double interleave = 0;
    String detail;
    switch (phase) {
      case Phase.SHADOW -> {
        shadow = plan.shadowShare();
        detail = "shadow at " + percent(shadow);
      }
      case Phase.CANARY -> {
        candidate = plan.share(step);
        interleave = plan.interleaveShare();
        detail =
            "canary step %d of %d: candidate %s, interleaved %s of new conversations"
                .formatted(step, plan.steps().size(), percent(candidate), percent(interleave));
      }
      case Phase.AWAITING_APPROVAL -> {
        candidate = r.routing().candidateShare();
        interleave = r.routing().interleaveShare();
        detail = "the candidate won; waiting for approval (traffic held)";
      }
      default -> throw new IllegalArgumentException("cannot enter phase " + phase);
    }
    double s = shadow;
    double c = candidate;
    double i = interleave;
    jdbi.useTransaction(
        h -> {
          Rollouts.enter(h, rolloutId, phase, step, s, c, i);
          RolloutEvents.record(
              h, rolloutId, RolloutEvents.PHASE, phase, detail, WORKFLOW, null, eventKey);
        });
    return require(rolloutId);
  }

  /**
   * Checks a running rollout's figures against its plan and stores them as its latest check. A
   * champion alias moved by hand, or a candidate archived by hand, fails the check: the rollout can
   * no longer compare what it started with.
   */
  public RolloutCheck check(long rolloutId) {
    Rollout r = require(rolloutId);
    RolloutPlan plan = r.plan();
    Map<String, ArmStats> window = observations.currentPhase(rolloutId);
    Map<String, ArmStats> total = observations.wholeRollout(rolloutId);
    RolloutObservations.Comparisons comparisons = observations.comparisons(rolloutId);
    SequentialTest.Result test =
        new SequentialTest(plan.alpha()).test(comparisons.wins(), comparisons.losses());
    RolloutJudge.Verdict verdict = interference(r);
    if (verdict == null) {
      verdict =
          Phase.SHADOW.equals(r.routing().phase())
              ? RolloutJudge.shadow(window.get(Arm.SHADOW), plan)
              : RolloutJudge.canary(
                  window.get(Arm.CHAMPION),
                  window.get(Arm.CANDIDATE),
                  window.get(Arm.INTERLEAVED),
                  test,
                  plan);
    }
    RolloutCheck check =
        new RolloutCheck(
            verdict.kind(),
            verdict.reason(),
            r.routing().phase(),
            r.routing().step(),
            window,
            total,
            comparisons,
            test,
            observations.clicks(rolloutId),
            RolloutCheck.exposure(total));
    if (r.running()) {
      rollouts.storeCheck(rolloutId, check.toJson());
    }
    return check;
  }

  /**
   * Checks only whether a running rollout can still judge what it started with, not its figures:
   * what a paused rollout checks, so that one whose champion alias was moved by hand, or whose
   * candidate was archived by hand, ends without waiting for a resume. Returns why it cannot, and
   * records that in the audit as a failed check; empty when nothing moved under it (or it has
   * ended).
   */
  public Optional<String> checkIntegrity(long rolloutId, String eventKey) {
    Rollout r = require(rolloutId);
    if (!r.running()) {
      return Optional.empty();
    }
    RolloutJudge.Verdict verdict = interference(r);
    if (verdict == null) {
      return Optional.empty();
    }
    jdbi.useHandle(
        h ->
            RolloutEvents.record(
                h,
                rolloutId,
                RolloutEvents.CHECK,
                r.routing().phase(),
                verdict.kind().name().toLowerCase(java.util.Locale.ROOT)
                    + ": "
                    + verdict.reason()
                    + " (checked while paused)",
                WORKFLOW,
                null,
                eventKey));
    return Optional.of(verdict.reason());
  }

  /** A reason the rollout can no longer judge what it started with, or null. */
  private RolloutJudge.Verdict interference(Rollout r) {
    Optional<ModelAliases.Target> champion =
        registry.aliases().find(r.collection(), ModelAliases.CHAMPION);
    if (champion.isEmpty() || champion.get().versionId() != r.champion().id()) {
      return new RolloutJudge.Verdict(
          RolloutJudge.Kind.FAIL,
          "the champion alias was moved by hand to "
              + champion.map(t -> "v" + t.version()).orElse("nothing")
              + " during the rollout");
    }
    RegisteredVersion candidate = registry.byId(r.candidate().id()).orElseThrow();
    if (!RegisteredVersion.REGISTERED.equals(candidate.status())) {
      return new RolloutJudge.Verdict(
          RolloutJudge.Kind.FAIL,
          candidate.label() + " was " + candidate.status() + " during the rollout");
    }
    return null;
  }

  /** Records a signal (approve, abort, pause, resume) and its effect on routing. */
  public void signal(long rolloutId, String signal, String actor, String detail, String eventKey) {
    Rollout r = require(rolloutId);
    jdbi.useTransaction(
        h -> {
          if (signal.equals("pause") || signal.equals("resume")) {
            Rollouts.setPaused(h, rolloutId, signal.equals("pause"));
          }
          RolloutEvents.record(
              h,
              rolloutId,
              RolloutEvents.SIGNAL,
              r.routing().phase(),
              signal + (detail == null || detail.isBlank() ? "" : ": " + detail),
              actor,
              null,
              eventKey);
        });
  }

  /** Records a failed check in the audit, with its figures. */
  public void recordCheck(long rolloutId, RolloutCheck check, String eventKey) {
    jdbi.useHandle(
        h ->
            RolloutEvents.record(
                h,
                rolloutId,
                RolloutEvents.CHECK,
                check.phase(),
                check.verdict().name().toLowerCase(java.util.Locale.ROOT) + ": " + check.reason(),
                WORKFLOW,
                check.toJson(),
                eventKey));
  }

  /**
   * Promotes: {@code champion} moves to the candidate (the old champion becomes {@code previous},
   * its index kept for the retention period), the candidate leaves {@code staging}, and the rollout
   * ends promoted, in one transaction. A promotion that already happened returns the rollout.
   *
   * @throws RegistryConflictException when the candidate is no longer registered, or the champion
   *     alias no longer points at the rollout's champion (moved by hand: the promotion would
   *     silently undo that move); nothing changes
   * @throws RolloutConflictException when the rollout ended meanwhile; nothing changes
   */
  public Rollout promote(long rolloutId, String actor, String reason, String eventKey) {
    Rollout r = require(rolloutId);
    if (!r.running()) {
      return r;
    }
    ModelRegistry.Change change = new ModelRegistry.Change(actor, reason, r.workflowId());
    try {
      promoteWhileRunning(r, change, actor, reason, eventKey);
    } catch (RegistryConflictException | RolloutConflictException e) {
      Rollout now = require(rolloutId);
      if (Rollout.PROMOTED.equals(now.outcome().status())) {
        return now; // promoted by an attempt of the same step that ran alongside
      }
      throw e;
    }
    return require(rolloutId);
  }

  /**
   * The champion alias from the rollout's champion to its candidate, with the rollout's end, in one
   * transaction; either check failing rolls it back.
   */
  private void promoteWhileRunning(
      Rollout r, ModelRegistry.Change change, String actor, String reason, String eventKey) {
    long rolloutId = r.id();
    registry.promote(
        r.collection(),
        ModelAliases.CHAMPION,
        r.candidate().number(),
        true,
        change,
        new ModelAliases.Target(r.champion().id(), r.champion().number()),
        h -> {
          if (!Rollouts.end(
              h, rolloutId, Rollout.PROMOTED, reason, clock.instant().plus(settings.retention()))) {
            // Ended by another decision since it was read: the alias must not move.
            throw new RolloutConflictException(
                "rollout " + r.workflowId() + " has ended meanwhile; the champion does not move");
          }
          ModelRegistry.unset(
              h, r.collection(), ModelAliases.STAGING, r.candidate().number(), change);
          RolloutEvents.record(
              h,
              rolloutId,
              RolloutEvents.DECISION,
              Phase.DECIDED,
              "promoted: "
                  + reason
                  + "; "
                  + r.championLabel()
                  + " is previous (its index kept for "
                  + settings.retention().toDays()
                  + " days)",
              actor,
              r.lastCheck(),
              eventKey);
        });
  }

  /**
   * Rolls back: the champion alias never moved; the rollout ends and the candidate is archived with
   * the reason (its index dropped after the retention period), in one transaction. A candidate that
   * has served as champion before ({@link ModelRegistry#servedAsChampion}: it is {@code previous},
   * or the alias audit shows it as champion) is not archived: it is known good and may be the
   * collection's way back, so it stays registered with its aliases, nothing of it is retained for
   * dropping, and its {@code rollout} tag and the audit say why. A candidate promoted or archived
   * by hand meanwhile is left as it is, and the audit says which: one that serves lost nothing, so
   * nothing of it is retained for dropping, and the rollout ends {@code superseded} rather than
   * {@code rolled_back}. Which of these holds is read with the candidate's row locked, in the same
   * transaction, so a hand promotion or archive cannot slip in between.
   */
  public Rollout rollBack(long rolloutId, String actor, String reason, String eventKey) {
    Rollout r = require(rolloutId);
    if (!r.running()) {
      return r;
    }
    ModelRegistry.Change change =
        new ModelRegistry.Change(actor, "rolled back: " + reason, r.workflowId());
    jdbi.useTransaction(
        h -> {
          ModelRegistry.Locked candidate = ModelRegistry.lock(h, r.candidate().id());
          boolean knownGood =
              !candidate.serves()
                  && !candidate.archived()
                  && ModelRegistry.servedAsChampion(
                      h, r.collection(), r.candidate().number(), candidate);
          if (!Rollouts.end(
              h,
              rolloutId,
              candidate.serves() ? Rollout.SUPERSEDED : Rollout.ROLLED_BACK,
              reason,
              candidate.serves() || knownGood
                  ? null
                  : clock.instant().plus(settings.retention()))) {
            return;
          }
          String outcome;
          if (candidate.serves()) {
            outcome =
                "ended: " + reason + "; " + r.candidateLabel() + " was promoted by hand and serves";
          } else if (candidate.archived()) {
            outcome =
                "rolled back: " + reason + "; " + r.candidateLabel() + " was archived by hand";
          } else if (knownGood) {
            String why = "not archived: it has served as champion";
            ModelVersions.tag(
                h,
                r.candidate().id(),
                ModelVersions.ROLLOUT_TAG,
                "rolled back: " + reason + "; " + why);
            outcome =
                "rolled back: "
                    + reason
                    + "; "
                    + r.candidateLabel()
                    + " "
                    + why
                    + (candidate.aliases().contains(ModelAliases.PREVIOUS)
                        ? " and is previous, the collection's way back"
                        : "");
          } else {
            ModelRegistry.archive(
                h, r.collection(), r.candidate().id(), r.candidate().number(), candidate, change);
            outcome = "rolled back: " + reason + "; " + r.candidateLabel() + " archived";
          }
          RolloutEvents.record(
              h,
              rolloutId,
              RolloutEvents.DECISION,
              Phase.DECIDED,
              outcome,
              actor,
              r.lastCheck(),
              eventKey);
        });
    return require(rolloutId);
  }

  /**
   * Archives a version by hand (the API's archive): as {@link ModelRegistry#archive(String, int,
   * ModelRegistry.Change)}, but never the candidate of the collection's running rollout, which
   * routing still sends traffic to and which the rollout could then neither promote nor judge. The
   * check is made in the archive's transaction.
   *
   * @throws RolloutConflictException when the version is the candidate of a running rollout: abort
   *     it first (its rollback archives the candidate, unless it has served as champion)
   * @throws io.engram.core.registry.RegistryConflictException when the version is the champion
   */
  public RegisteredVersion archive(String collection, int version, ModelRegistry.Change change) {
    return registry.archive(
        collection,
        version,
        change,
        h ->
            Rollouts.running(h, collection)
                .filter(r -> r.candidate().number() == version)
                .ifPresent(
                    r -> {
                      throw new RolloutConflictException(
                          r.candidateLabel()
                              + " is the candidate of the running rollout "
                              + r.workflowId()
                              + "; abort the rollout first (./engram rollout abort "
                              + r.workflowId()
                              + "), which archives it unless it has served as champion");
                    }));
  }

  /**
   * Keeps the champion: the test found no difference within the budget (or approval or a pause ran
   * out). The candidate stays registered (and staged) for an operator to decide; its tag {@code
   * rollout} says how its rollout ended.
   */
  public Rollout keep(long rolloutId, String actor, String reason, String eventKey) {
    Rollout r = require(rolloutId);
    if (!r.running()) {
      return r;
    }
    jdbi.useTransaction(
        h -> {
          if (Rollouts.end(h, rolloutId, Rollout.KEPT, reason, null)) {
            RolloutEvents.record(
                h,
                rolloutId,
                RolloutEvents.DECISION,
                Phase.DECIDED,
                "kept " + r.championLabel() + ": " + reason,
                actor,
                r.lastCheck(),
                eventKey);
          }
        });
    registry.versions().tag(r.candidate().id(), ModelVersions.ROLLOUT_TAG, "kept: " + reason);
    return require(rolloutId);
  }

  /**
   * Undoes a promotion in one step: {@code champion} moves back to the version the rollout started
   * from (kept for the retention period, so its answers are those of before), audited as an undo.
   * The undo is the operator's explicit act, so a production champion move needs no other approval.
   *
   * @throws RolloutConflictException when the rollout did not promote, was undone already, the
   *     champion has moved on since, or another rollout of the collection runs (its champion would
   *     move under it); checked again in the undo's transaction
   * @throws RegistryConflictException when the champion moved on while the undo was made, or the
   *     version to go back to can no longer serve (archived)
   */
  public Rollout undo(long rolloutId, String actor, String reason) {
    Rollout r = require(rolloutId);
    if (!Rollout.PROMOTED.equals(r.outcome().status())) {
      throw new RolloutConflictException(
          "rollout "
              + r.workflowId()
              + " is "
              + r.outcome().status()
              + "; only a promoted rollout can be undone");
    }
    Optional<ModelAliases.Target> champion =
        registry.aliases().find(r.collection(), ModelAliases.CHAMPION);
    if (champion.isEmpty() || champion.get().versionId() != r.candidate().id()) {
      throw new RolloutConflictException(
          "the champion of "
              + r.collection()
              + " has moved on from "
              + r.candidateLabel()
              + " since the rollout; move it with ./engram models promote instead");
    }
    String why = reason == null || reason.isBlank() ? "undo of " + r.workflowId() : reason;
    registry.promote(
        r.collection(),
        ModelAliases.CHAMPION,
        r.champion().number(),
        true,
        new ModelRegistry.Change(actor, "undo: " + why, r.workflowId()),
        new ModelAliases.Target(r.candidate().id(), r.candidate().number()),
        h -> {
          Rollouts.running(h, r.collection())
              .ifPresent(
                  running -> {
                    throw new RolloutConflictException(
                        "rollout "
                            + running.workflowId()
                            + " of "
                            + running.candidateLabel()
                            + " is running against "
                            + running.championLabel()
                            + "; abort it or wait for its decision before undoing "
                            + r.workflowId());
                  });
          Rollouts.markUndone(h, rolloutId);
          RolloutEvents.record(
              h,
              rolloutId,
              RolloutEvents.UNDO,
              Phase.DECIDED,
              "undone: " + r.championLabel() + " serves again; " + why,
              actor,
              null,
              null);
        });
    return require(rolloutId);
  }

  /**
   * Waits, at most {@code within}, until the rollout's workflow has taken a signal sent when {@code
   * auditedBefore} signals had been audited ({@link RolloutEvents#count}): its audit row is written
   * and, for {@code abort} and {@code approve}, the rollout has ended. A signal is taken at the
   * workflow's next step, moments after it is sent; an approval that must first bring the
   * candidate's index up to date can take longer. Returns the rollout as it is then, taken or not,
   * so whoever sent the signal shows its effect rather than the state before it.
   */
  public Rollout awaitSignal(long rolloutId, String signal, long auditedBefore, Duration within)
      throws InterruptedException {
    // A wait in real time, whatever the service's clock says (a test's may stand still).
    long deadline = System.nanoTime() + within.toNanos();
    boolean ends = signal.equals("abort") || signal.equals("approve");
    while (true) {
      Rollout r = require(rolloutId);
      boolean taken =
          !r.running() || (!ends && events.count(rolloutId, RolloutEvents.SIGNAL) > auditedBefore);
      if (taken || System.nanoTime() - deadline >= 0) {
        return r;
      }
      Thread.sleep(SIGNAL_POLL.toMillis());
    }
  }

  /** A rollout and its audit. */
  public record Status(Rollout rollout, List<RolloutEvents.Event> events) {}

  /** The newest rollout run by {@code workflowId}, with its audit. */
  public Optional<Status> status(String workflowId) {
    return rollouts.latest(workflowId).map(r -> new Status(r, events.list(r.id())));
  }

  /**
   * The rollout numbered {@code rolloutId} with its audit: any of them, where a workflow id names
   * the newest rollout of its version only.
   */
  public Optional<Status> status(long rolloutId) {
    return rollouts.find(rolloutId).map(r -> new Status(r, events.list(r.id())));
  }

  public Rollout require(long rolloutId) {
    return rollouts
        .find(rolloutId)
        .orElseThrow(() -> new UnknownResourceException("rollout", "no rollout #" + rolloutId));
  }

  /** The champion the candidate would be compared with. */
  private RegisteredVersion requireRollable(String collection, RegisteredVersion candidate) {
    if (!RegisteredVersion.REGISTERED.equals(candidate.status())) {
      throw new RolloutConflictException(
          candidate.label()
              + " is "
              + candidate.status()
              + "; only a registered version can roll out");
    }
    RegisteredVersion champion =
        registry
            .alias(collection, ModelAliases.CHAMPION)
            .orElseThrow(
                () ->
                    new RolloutConflictException(
                        "collection '" + collection + "' has no champion to roll out against"));
    if (champion.id() == candidate.id()) {
      throw new RolloutConflictException(candidate.label() + " is already the champion");
    }
    return champion;
  }

  static String percent(double share) {
    return String.format(java.util.Locale.ROOT, "%.4g%%", 100 * share).replaceAll("\\.?0+%$", "%");
  }
}
