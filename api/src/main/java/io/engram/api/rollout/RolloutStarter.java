package io.engram.api.rollout;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.engram.api.auth.Caller;
import io.engram.api.collections.CollectionLookup;
import io.engram.api.problems.CleanText;
import io.engram.api.problems.Problems;
import io.engram.api.temporal.WorkflowRun;
import io.engram.contract.Rollouts.RolloutView;
import io.engram.contract.Rollouts.StartRollout;
import io.engram.core.CoreServices;
import io.engram.core.rollout.Rollout;
import io.engram.core.rollout.RolloutEvents;
import io.engram.core.rollout.RolloutService;
import io.engram.workflows.rollout.PlanOverrides;
import io.engram.workflows.rollout.RolloutRequest;
import io.engram.workflows.rollout.RolloutResult;
import io.engram.workflows.rollout.RolloutSignal;
import io.engram.workflows.rollout.RolloutWorkflow;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Starts rollouts and signals them through Temporal. Bad input and a rollout the state refuses are
 * answered here, before a workflow exists; the workflow's own begin covers clients that start it
 * directly. A rollout whose workflow is gone (terminated by hand) while its routing still splits
 * traffic can still be aborted: the rollback is made here.
 */
@Singleton
class RolloutStarter {
  private static final WorkflowRun.Kind KIND =
      new WorkflowRun.Kind("rollout", RolloutWorkflow.class.getSimpleName());

  /** A rollout's number, its {@code rolloutId}: a workflow id always starts with a letter. */
  private static final Pattern ROLLOUT_NUMBER = Pattern.compile("[1-9][0-9]{0,17}");

  /**
   * How long a signal's answer waits for the workflow to take it, so that it shows the signal's
   * effect (paused, aborted) rather than the state before it; past this it answers as things are.
   */
  static final Duration SIGNAL_WAIT = Duration.ofSeconds(5);

  private final WorkflowClient client;
  private final CollectionLookup collections;
  private final RolloutService service;
  private final RolloutViews views;
  private final ObjectMapper json;

  RolloutStarter(
      WorkflowClient client,
      CoreServices core,
      CollectionLookup collections,
      RolloutViews views,
      ObjectMapper json) {
    this.client = client;
    this.collections = collections;
    this.service = core.rollouts();
    this.views = views;
    this.json = json;
  }

  /**
   * Starts the rollout of {@code body}'s version of the caller's collection {@code collection} (its
   * key).
   */
  RolloutView start(Caller caller, String collection, StartRollout body) {
    try {
      service.validate(collection, body.version(), RolloutViews.overrides(body.plan()));
    } catch (IllegalArgumentException e) {
      throw Problems.invalidField("/plan", e.getMessage());
    }
    String id = RolloutWorkflow.workflowId(collection, body.version());
    RolloutWorkflow workflow =
        client.newWorkflowStub(
            RolloutWorkflow.class, RolloutWorkflow.startOptions(collection, body.version()));
    RolloutRequest request =
        new RolloutRequest(
            collection,
            body.version(),
            RolloutRequest.MANUAL,
            caller.getName(),
            body.reason(),
            body.plan() == null ? null : json.convertValue(body.plan(), PlanOverrides.class));
    WorkflowRun.start(
        "the rollout workflow",
        () -> {
          try {
            return WorkflowClient.start(workflow::rollOut, request);
          } catch (WorkflowExecutionAlreadyStarted e) {
            throw Problems.conflict("rollout " + id + " is running already");
          }
        });
    return RolloutViews.pending(id, body.collection(), body.version(), "starting", null);
  }

  /**
   * The rollout {@code id} names: its number, or a workflow id (the newest rollout of its version,
   * or its workflow before it stored one); 404 when it is another tenant's.
   */
  RolloutView show(Caller caller, String id) {
    CleanText.require("id", id);
    if (ROLLOUT_NUMBER.matcher(id).matches()) {
      // A rollout's number (rolloutId) names it alone: an older rollout of the same version, whose
      // workflow id now names the newer one, is still read by it.
      return service
          .status(Long.parseLong(id))
          .filter(s -> caller.tenant().owns(s.rollout().collection()))
          .map(s -> views.view(caller, s.rollout(), s.events()))
          .orElseThrow(
              () ->
                  Problems.notFound(
                      "rollout", "no rollout #" + id + "; GET /v1/rollouts lists them"));
    }
    Optional<RolloutService.Status> status = service.status(id);
    if (status.isPresent()) {
      Rollout r = owned(caller, id, status.get().rollout());
      return views.view(caller, r, status.get().events());
    }
    WorkflowRun run =
        collections.ofCurrentCollection(
            WorkflowRun.describe(client, id, KIND, caller.tenant()), KIND, id);
    String[] parts = parse(caller, id);
    if (run.running()) {
      return starting(caller, id);
    }
    String reason = null;
    try {
      reason = run.result(RolloutResult.class).reason();
    } catch (RuntimeException e) {
      reason = "its workflow ended " + run.statusName().toLowerCase(java.util.Locale.ROOT);
    }
    return RolloutViews.pending(
        id, parts[0], Integer.parseInt(parts[1]), RolloutResult.REFUSED, reason);
  }

  /**
   * Sends {@code signal} to the running rollout {@code id} and answers with the rollout once its
   * workflow has taken the signal (within {@link #SIGNAL_WAIT}). A rollout that has decided takes
   * none (409), even while its workflow is still closing.
   */
  RolloutView signal(Caller caller, String id, String signal, String reason) {
    CleanText.require("id", id);
    Optional<Rollout> row = service.rollouts().latest(id).map(r -> owned(caller, id, r));
    if (row.isPresent() && !row.get().running()) {
      throw Problems.conflict(
          "rollout "
              + id
              + " is "
              + row.get().outcome().status()
              + "; a signal needs a running rollout");
    }
    Optional<WorkflowRun> run = WorkflowRun.find(client, id, KIND, caller.tenant());
    if (run.isPresent() && run.get().running()) {
      long audited = row.map(r -> service.events().count(r.id(), RolloutEvents.SIGNAL)).orElse(0L);
      client.newUntypedWorkflowStub(id).signal(signal, new RolloutSignal(caller.getName(), reason));
      if (row.isEmpty()) {
        return starting(caller, id);
      }
      try {
        return views.view(
            caller, service.awaitSignal(row.get().id(), signal, audited, SIGNAL_WAIT), null);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return views.view(caller, row.get(), null);
      }
    }
    if (row.isEmpty()) {
      throw WorkflowRun.notFound(KIND, id);
    }
    if (signal.equals("abort")) {
      // Its workflow is gone (terminated by hand): nobody else will end the split routing.
      return views.view(
          caller,
          service.rollBack(
              row.get().id(),
              caller.getName(),
              "aborted by "
                  + caller.getName()
                  + (reason == null ? "" : ": " + reason)
                  + " (its workflow had ended)",
              null),
          null);
    }
    throw Problems.conflict(
        "rollout " + id + " runs but its workflow has ended; abort it to end its routing");
  }

  RolloutView undo(Caller caller, String id, String reason) {
    CleanText.require("id", id);
    Rollout r =
        service
            .rollouts()
            .latest(id)
            .map(row -> owned(caller, id, row))
            .orElseThrow(() -> WorkflowRun.notFound(KIND, id));
    return views.view(caller, service.undo(r.id(), caller.getName(), reason), null);
  }

  /** {@code r} when it is the caller's tenant's; else the 404 of an unknown rollout. */
  private static Rollout owned(Caller caller, String id, Rollout r) {
    if (!caller.tenant().owns(r.collection())) {
      throw WorkflowRun.notFound(KIND, id);
    }
    return r;
  }

  private static RolloutView starting(Caller caller, String id) {
    String[] parts = parse(caller, id);
    return RolloutViews.pending(id, parts[0], Integer.parseInt(parts[1]), "starting", null);
  }

  /**
   * The collection (as the caller's tenant names it) and the candidate's number a rollout id names.
   */
  private static String[] parse(Caller caller, String id) {
    int v = id.lastIndexOf("-v");
    if (!id.startsWith("rollout-") || v < 0) {
      throw WorkflowRun.notFound(KIND, id);
    }
    return new String[] {caller.shown(id.substring("rollout-".length(), v)), id.substring(v + 2)};
  }
}
