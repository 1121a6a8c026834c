package io.engram.api.problems;

import io.engram.api.temporal.WorkflowRun;
import io.engram.contract.Problem;
import io.engram.core.db.DatabaseUnavailable;
import io.micronaut.http.HttpHeaders;
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
 *
 * <p>A failure caused by an unreachable database (down, restarting, a pool that timed out waiting
 * for a connection) or an unreachable Temporal (a signal or query the service did not answer) is
 * not a fault of the server's code but a passing condition: it is answered 503 with {@code
 * Retry-After}, so clients and load balancers retry instead of reporting a bug, and logged on one
 * line without the stack trace, which would only repeat for every request.
 */
@Produces(Problem.MEDIA_TYPE)
@Singleton
class UnexpectedFailureHandler implements ExceptionHandler<Exception, HttpResponse<Problem>> {
  private static final Logger log = LoggerFactory.getLogger(UnexpectedFailureHandler.class);

  /** A PostgreSQL or Temporal restart takes seconds. */
  static final String RETRY_AFTER_SECONDS = "5";

  @Override
  public HttpResponse<Problem> handle(HttpRequest request, Exception exception) {
    String requestId = RequestIds.of(request);
    String unavailable =
        DatabaseUnavailable.causes(exception)
            ? "the database"
            : WorkflowRun.unreachable(exception) ? "Temporal" : null;
    if (unavailable != null) {
      log.warn(
          "request {} ({} {}) failed: {} is unavailable ({})",
          requestId,
          request.getMethod(),
          RequestIds.route(request),
          unavailable,
          exception.getClass().getSimpleName());
      return HttpResponse.<Problem>status(HttpStatus.SERVICE_UNAVAILABLE)
          .contentType(Problem.MEDIA_TYPE)
          .header(RequestIds.HEADER, requestId)
          .header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS)
          .body(
              Problems.unavailable(
                      unavailable + " is unavailable; retry shortly (request id " + requestId + ")")
                  .problem());
    }
    log.error(
        "request {} ({} {}) failed",
        requestId,
        request.getMethod(),
        RequestIds.route(request),
        exception);
    return HttpResponse.<Problem>status(HttpStatus.INTERNAL_SERVER_ERROR)
        .contentType(Problem.MEDIA_TYPE)
        .header(RequestIds.HEADER, requestId)
        .body(Problems.internalError(requestId));
  }
}
