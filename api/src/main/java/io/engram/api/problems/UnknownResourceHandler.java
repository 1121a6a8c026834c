package io.engram.api.problems;

import io.engram.contract.Problem;
import io.engram.core.query.UnknownResourceException;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;

/** A question naming a session, collection or model version that does not exist: 404. */
@Produces(Problem.MEDIA_TYPE)
@Singleton
@Requires(classes = {UnknownResourceException.class, ExceptionHandler.class})
class UnknownResourceHandler
    implements ExceptionHandler<UnknownResourceException, HttpResponse<Problem>> {
  private final ApiProblemHandler problems = new ApiProblemHandler();

  @Override
  public HttpResponse<Problem> handle(HttpRequest request, UnknownResourceException exception) {
    return problems.handle(
        request, Problems.notFound(exception.resource(), exception.getMessage()));
  }
}
