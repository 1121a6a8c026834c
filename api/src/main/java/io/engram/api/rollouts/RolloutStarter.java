package io.engram.api.rollouts;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.engram.api.problems.Problems;
import io.engram.api.temporal.WorkflowRun;
import io.engram.contract.Rollouts.RolloutView;
import io.engram.contract.Rollouts.StartRollout;
import io.engram.core.rollout.Rollout;
import io.engram.core.rollout.RolloutService;
import io.engram.workflows.rollout.PlanOverrides;
import io.engram.workflows.rollout.RolloutRequest;
import io.engram.workflows.rollout.RolloutResult;
import io.engram.workflows.rollout.RolloutSignal;
import io.engram.workflows.rollout.RolloutWorkflow;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import jakarta.inject.Singleton;
import java.util.Optional;

/**
 * Starts rollouts and signals them through Temporal. Bad input and a rollout the state refuses are
 * answered here, before a workflow exists; the workflow's own begin covers clients that start it
 * directly. A rollout whose workflow is gone (terminated by hand) while its routing still splits
 * traffic can still be aborted: the rollback is made here.
 */
@Singleton
class RolloutStarter {
  /** Who the audit names for what is done through the API (an API key's owner, once keys exist). */
  static final String ACTOR = "api";

  private static final String KIND = "rollout";

  private final WorkflowClient client;
  private final RolloutService service;
  private final RolloutViews views;
  private final ObjectMapper json;

  RolloutStarter(
      WorkflowClient client, RolloutService service, RolloutViews views, ObjectMapper json) {
    this.client = client;
    this.service = service;
    this.views = views;
    this.json = json;
  }

  RolloutView start(StartRollout body) {
    try {
      service.validate(body.collection(), body.version(), RolloutViews.overrides(body.plan()));
    } catch (IllegalArgumentException e) {
      throw Problems.invalidField("/plan", e.getMessage());
    }
    String id = RolloutWorkflow.workflowId(body.collection(), body.version());
    RolloutWorkflow workflow =
        client.newWorkflowStub(
            RolloutWorkflow.class, RolloutWorkflow.startOptions(body.collection(), body.version()));
    RolloutRequest request =
        new RolloutRequest(
            body.collection(),
            body.version(),
            RolloutRequest.MANUAL,
            ACTOR,
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

  /** The rollout {@code id} names: its newest row, or its workflow before it stored one. */
  RolloutView show(String id) {
    Optional<RolloutService.Status> status = service.status(id);
    if (status.isPresent()) {
      return views.view(status.get().rollout(), status.get().events());
    }
    WorkflowRun run = WorkflowRun.describe(client, id, KIND);
    String[] parts = parse(id);
    if (run.running()) {
      return starting(id);
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
   * Sends {@code signal} to the running rollout {@code id}. A rollout that has decided takes none
   * (409), even while its workflow is still closing.
   */
  RolloutView signal(String id, String signal, String reason) {
    Optional<Rollout> row = service.rollouts().latest(id);
    if (row.isPresent() && !row.get().running()) {
      throw Problems.conflict(
          "rollout "
              + id
              + " is "
              + row.get().outcome().status()
              + "; a signal needs a running rollout");
    }
    Optional<WorkflowRun> run = WorkflowRun.find(client, id);
    if (run.isPresent() && run.get().running()) {
      client.newUntypedWorkflowStub(id).signal(signal, new RolloutSignal(ACTOR, reason));
      return row.map(r -> views.view(r, null)).orElseGet(() -> starting(id));
    }
    if (row.isEmpty()) {
      throw WorkflowRun.notFound(KIND, id);
    }
    if (signal.equals("abort")) {
      // Its workflow is gone (terminated by hand): nobody else will end the split routing.
      return views.view(
          service.rollBack(
              row.get().id(),
              ACTOR,
              "aborted by "
                  + ACTOR
                  + (reason == null ? "" : ": " + reason)
                  + " (its workflow had ended)",
              null),
          null);
    }
    throw Problems.conflict(
        "rollout " + id + " runs but its workflow has ended; abort it to end its routing");
  }

  RolloutView undo(String id, String reason) {
    Rollout r = service.rollouts().latest(id).orElseThrow(() -> WorkflowRun.notFound(KIND, id));
    return views.view(service.undo(r.id(), ACTOR, reason), null);
  }

  private static RolloutView starting(String id) {
    String[] parts = parse(id);
    return RolloutViews.pending(id, parts[0], Integer.parseInt(parts[1]), "starting", null);
  }

  /** The collection and the candidate's number a rollout id names. */
  private static String[] parse(String id) {
    int v = id.lastIndexOf("-v");
    if (!id.startsWith("rollout-") || v < 0) {
      throw WorkflowRun.notFound(KIND, id);
    }
    return new String[] {id.substring("rollout-".length(), v), id.substring(v + 2)};
  }
}
