package io.engram.api.problems;

import io.engram.contract.Problem;
import io.engram.core.query.ContradictoryQuestionException;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;

/** A question whose fields contradict each other: 400 naming the field. */
@Produces(Problem.MEDIA_TYPE)
@Singleton
@Requires(classes = {ContradictoryQuestionException.class, ExceptionHandler.class})
class ContradictoryQuestionHandler
    implements ExceptionHandler<ContradictoryQuestionException, HttpResponse<Problem>> {
  private final ApiProblemHandler problems = new ApiProblemHandler();

  @Override
  public HttpResponse<Problem> handle(
      HttpRequest request, ContradictoryQuestionException exception) {
    return problems.handle(
        request, Problems.invalidField(exception.field(), exception.getMessage()));
  }
}
