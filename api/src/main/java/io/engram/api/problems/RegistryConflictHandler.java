package io.engram.api.problems;

import io.engram.contract.Problem;
import io.engram.core.registry.RegistryConflictException;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;

/**
 * A registry change the registry refused: 409 for one the versions' state forbids (an alias onto an
 * archived or rejected version, archiving the champion), 403 for a production champion move without
 * approval. The registry's message says what to do instead.
 */
@Produces(Problem.MEDIA_TYPE)
@Singleton
@Requires(classes = {RegistryConflictException.class, ExceptionHandler.class})
class RegistryConflictHandler
    implements ExceptionHandler<RegistryConflictException, HttpResponse<Problem>> {
  private final ApiProblemHandler problems = new ApiProblemHandler();

  @Override
  public HttpResponse<Problem> handle(HttpRequest request, RegistryConflictException exception) {
    return problems.handle(
        request,
        switch (exception.reason()) {
          case CONFLICT -> Problems.conflict(exception.getMessage());
          case APPROVAL_REQUIRED -> Problems.approvalRequired(exception.getMessage());
        });
  }
}
