package io.engram.api.problems;

import io.engram.contract.Problem;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.server.exceptions.response.Error;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.JsonErrorResponseBodyProvider;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Makes the framework's own errors (malformed JSON, wrong types, failed validation, unknown route,
 * a body over the size limit) RFC 7807 problems too, so every error a client sees has the same
 * shape. This is the one place a binding or validation failure becomes a problem: it names each
 * invalid field (see {@link InvalidFields}). A server error never carries the exception's text.
 */
@Singleton
@Replaces(JsonErrorResponseBodyProvider.class)
class ProblemJsonErrorBodyProvider implements JsonErrorResponseBodyProvider<Problem> {
  @Override
  public Problem body(ErrorContext context, HttpResponse<?> response) {
    int status = response.code();
    if (status >= 500) {
      return Problems.internalError(RequestIds.of(context.getRequest()));
    }
    List<Problem.InvalidField> fields =
        context.getRootCause().map(InvalidFields::of).orElse(List.of());
    if (!fields.isEmpty() && status == 400) {
      return Problems.invalid(status, response.reason(), fields);
    }
    String detail =
        context.getErrors().stream().map(Error::getMessage).collect(Collectors.joining("; "));
    String slug = response.reason().toLowerCase().replaceAll("[^a-z0-9]+", "-");
    return new Problem(
        Problems.BASE + slug, response.reason(), status, detail.isEmpty() ? null : detail);
  }

  @Override
  public String contentType() {
    return Problem.MEDIA_TYPE;
  }
}
