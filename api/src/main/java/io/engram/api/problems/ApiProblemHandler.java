package io.engram.api.problems;

import io.engram.contract.Problem;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;

/** Renders {@link ApiProblem} as {@code application/problem+json} with its status. */
@Produces(Problem.MEDIA_TYPE)
@Singleton
@Requires(classes = {ApiProblem.class, ExceptionHandler.class})
class ApiProblemHandler implements ExceptionHandler<ApiProblem, HttpResponse<Problem>> {
  @Override
  public HttpResponse<Problem> handle(HttpRequest request, ApiProblem exception) {
    Problem problem = exception.problem();
    return HttpResponse.<Problem>status(HttpStatus.valueOf(problem.status()))
        .contentType(Problem.MEDIA_TYPE)
        .body(problem);
  }
}
