package io.engram.api.problems;

import io.engram.contract.Problem;
import io.engram.core.collection.CollectionDeletingException;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;

/** A write to a collection that is being deleted (an ingestion into it): 409, saying to wait. */
@Produces(Problem.MEDIA_TYPE)
@Singleton
@Requires(classes = {CollectionDeletingException.class, ExceptionHandler.class})
class CollectionDeletingHandler
    implements ExceptionHandler<CollectionDeletingException, HttpResponse<Problem>> {
  private final ApiProblemHandler problems = new ApiProblemHandler();

  @Override
  public HttpResponse<Problem> handle(HttpRequest request, CollectionDeletingException exception) {
    return problems.handle(request, Problems.conflict(exception.getMessage()));
  }
}
