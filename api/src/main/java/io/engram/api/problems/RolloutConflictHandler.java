package io.engram.api.problems;

import io.engram.contract.Problem;
import io.engram.core.rollout.RolloutConflictException;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;

/**
 * A rollout request the state refuses (another rollout of the collection runs, the version cannot
 * roll out, an undo of a rollout that did not promote): 409, with the reason.
 */
@Produces(Problem.MEDIA_TYPE)
@Singleton
@Requires(classes = {RolloutConflictException.class, ExceptionHandler.class})
class RolloutConflictHandler
    implements ExceptionHandler<RolloutConflictException, HttpResponse<Problem>> {
  private final ApiProblemHandler problems = new ApiProblemHandler();

  @Override
  public HttpResponse<Problem> handle(HttpRequest request, RolloutConflictException exception) {
    return problems.handle(request, Problems.conflict(exception.getMessage()));
  }
}
