package io.engram.api.rollouts;

import io.engram.api.problems.CleanText;
import io.engram.api.problems.Problems;
import io.engram.contract.Rollouts;
import io.engram.contract.Rollouts.Action;
import io.engram.contract.Rollouts.RolloutList;
import io.engram.contract.Rollouts.RolloutView;
import io.engram.contract.Rollouts.StartRollout;
import io.engram.core.collection.CollectionRegistry;
import io.engram.core.rollout.RolloutService;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
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
class RolloutController {
  private static final int DEFAULT_LIST = 20;

  private final RolloutStarter starter;
  private final RolloutService service;
  private final RolloutViews views;
  private final CollectionRegistry collections;

  RolloutController(
      RolloutStarter starter,
      RolloutService service,
      RolloutViews views,
      CollectionRegistry collections) {
    this.starter = starter;
    this.service = service;
    this.views = views;
    this.collections = collections;
  }

  @Post
  HttpResponse<RolloutView> start(@Valid @Body StartRollout body) {
    requireCollection(body.collection());
    return HttpResponse.accepted().body(starter.start(body));
  }

  @Get
  RolloutList list(
      @Nullable @QueryValue String collection,
      @Nullable @QueryValue @Min(1) @Max(Rollouts.MAX_LIST) Integer limit) {
    if (collection != null) {
      requireCollection(collection);
    }
    return new RolloutList(
        service.rollouts().list(collection, limit == null ? DEFAULT_LIST : limit).stream()
            .map(r -> views.view(r, null))
            .toList());
  }

  @Get("/{id}")
  RolloutView show(String id) {
    return starter.show(id);
  }

  @Post("/{id}:approve")
  RolloutView approve(String id, @Valid @Nullable @Body Action body) {
    return starter.signal(id, "approve", reason(body));
  }

  @Post("/{id}:abort")
  RolloutView abort(String id, @Valid @Nullable @Body Action body) {
    return starter.signal(id, "abort", reason(body));
  }

  @Post("/{id}:pause")
  RolloutView pause(String id, @Valid @Nullable @Body Action body) {
    return starter.signal(id, "pause", reason(body));
  }

  @Post("/{id}:resume")
  RolloutView resume(String id, @Valid @Nullable @Body Action body) {
    return starter.signal(id, "resume", reason(body));
  }

  /** Moves {@code champion} back to the version the promoted rollout started from, in one step. */
  @Post("/{id}:undo")
  RolloutView undo(String id, @Valid @Nullable @Body Action body) {
    return starter.undo(id, reason(body));
  }

  private static String reason(Action body) {
    return body == null || body.reason() == null || body.reason().isBlank() ? null : body.reason();
  }

  private void requireCollection(String collection) {
    CleanText.require("collection", collection);
    if (!CollectionRegistry.isValidName(collection)) {
      throw Problems.invalidField(
          "/collection", "not a valid collection name: use 1-63 of a-z, 0-9, '_', '.', '-'");
    }
    if (!collections.exists(collection)) {
      throw Problems.notFound("collection", "no collection '" + collection + "'");
    }
  }
}
