package io.engram.api.rollout;

import io.engram.api.auth.Caller;
import io.engram.api.collections.CollectionLookup;
import io.engram.api.problems.ProblemResponses;
import io.engram.contract.Rollouts;
import io.engram.contract.Rollouts.Action;
import io.engram.contract.Rollouts.RolloutList;
import io.engram.contract.Rollouts.RolloutView;
import io.engram.contract.Rollouts.StartRollout;
import io.engram.core.CoreServices;
import io.engram.core.rollout.RolloutService;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.annotation.Status;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * Rollouts over HTTP: start one, list them, show one with its audit, signal a running one ({@code
 * :approve}, {@code :abort}, {@code :pause}, {@code :resume}) and undo a promotion. A rollout is
 * named by its workflow id, {@code rollout-<collection>-v<N>}.
 */
@Controller("/v1/rollouts")
@ExecuteOn(TaskExecutors.BLOCKING)
@ProblemResponses
class RolloutController {
  private static final int DEFAULT_LIST = 20;

  private final RolloutStarter starter;
  private final RolloutService service;
  private final RolloutViews views;
  private final CollectionLookup collections;

  RolloutController(
      RolloutStarter starter, CoreServices core, RolloutViews views, CollectionLookup collections) {
    this.starter = starter;
    this.service = core.rollouts();
    this.views = views;
    this.collections = collections;
  }

  @Post
  @Status(HttpStatus.ACCEPTED)
  HttpResponse<RolloutView> start(Caller caller, @Valid @Body StartRollout body) {
    String collection = collections.existing(caller, "/collection", body.collection());
    return HttpResponse.accepted().body(starter.start(caller, collection, body));
  }

  /** The caller's tenant's rollouts, newest first. */
  @Get
  RolloutList list(
      Caller caller,
      @Nullable @QueryValue String collection,
      @Nullable @QueryValue @Min(1) @Max(Rollouts.MAX_LIST) Integer limit) {
    String key = collection == null ? null : collections.existing(caller, "collection", collection);
    return new RolloutList(
        service.rollouts().list(caller.tenant(), key, limit == null ? DEFAULT_LIST : limit).stream()
            .map(r -> views.view(caller, r, null))
            .toList());
  }

  /** One of the caller's tenant's rollouts; another tenant's is 404 like an unknown id. */
  @Get("/{id}")
  RolloutView show(Caller caller, String id) {
    return starter.show(caller, id);
  }

  @Post("/{id}:approve")
  RolloutView approve(Caller caller, String id, @Valid @Nullable @Body Action body) {
    return starter.signal(caller, id, "approve", reason(body));
  }

  @Post("/{id}:abort")
  RolloutView abort(Caller caller, String id, @Valid @Nullable @Body Action body) {
    return starter.signal(caller, id, "abort", reason(body));
  }

  @Post("/{id}:pause")
  RolloutView pause(Caller caller, String id, @Valid @Nullable @Body Action body) {
    return starter.signal(caller, id, "pause", reason(body));
  }

  @Post("/{id}:resume")
  RolloutView resume(Caller caller, String id, @Valid @Nullable @Body Action body) {
    return starter.signal(caller, id, "resume", reason(body));
  }

  /** Moves {@code champion} back to the version the promoted rollout started from, in one step. */
  @Post("/{id}:undo")
  RolloutView undo(Caller caller, String id, @Valid @Nullable @Body Action body) {
    return starter.undo(caller, id, reason(body));
  }

  private static String reason(Action body) {
    return body == null || body.reason() == null || body.reason().isBlank() ? null : body.reason();
  }
}
