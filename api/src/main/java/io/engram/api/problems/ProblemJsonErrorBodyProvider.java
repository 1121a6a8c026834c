package io.engram.api.problems;

import io.micronaut.context.annotation.Replaces;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.server.exceptions.response.Error;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.JsonErrorResponseBodyProvider;
import jakarta.inject.Singleton;
import java.util.stream.Collectors;

/**
 * Makes the framework's own errors (malformed JSON, wrong types, failed validation, unknown route)
 * RFC 7807 problems too, so every 4xx a client sees has the same shape.
 */
@Singleton
@Replaces(JsonErrorResponseBodyProvider.class)
class ProblemJsonErrorBodyProvider implements JsonErrorResponseBodyProvider<Problem> {
  @Override
  public Problem body(ErrorContext context, HttpResponse<?> response) {
    String detail =
        context.getErrors().stream().map(Error::getMessage).collect(Collectors.joining("; "));
    int status = response.code();
    String slug = response.reason().toLowerCase().replaceAll("[^a-z0-9]+", "-");
    return new Problem(
        Problems.BASE + slug, response.reason(), status, detail.isEmpty() ? null : detail);
  }

  @Override
  public String contentType() {
    return Problem.MEDIA_TYPE;
  }
}
