package io.engram.api.problems;

import io.engram.contract.Problem;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last resort for an exception no other handler claims: logs it with its stack trace under the
 * request's id and answers 500 with a generic problem that carries only that id. Exception messages
 * can quote SQL, database errors or the request's own text, so none of it reaches the client.
 */
@Produces(Problem.MEDIA_TYPE)
@Singleton
class UnexpectedFailureHandler implements ExceptionHandler<Exception, HttpResponse<Problem>> {
  private static final Logger log = LoggerFactory.getLogger(UnexpectedFailureHandler.class);

  @Override
  public HttpResponse<Problem> handle(HttpRequest request, Exception exception) {
    String requestId = RequestIds.of(request);
    log.error(
        "request {} ({} {}) failed", requestId, request.getMethod(), request.getPath(), exception);
    return HttpResponse.<Problem>status(HttpStatus.INTERNAL_SERVER_ERROR)
        .contentType(Problem.MEDIA_TYPE)
        .header(RequestIds.HEADER, requestId)
        .body(Problems.internalError(requestId));
  }
}
