package io.engram.api.problems;

import io.engram.contract.Collections;
import io.engram.contract.Problem;
import io.micronaut.http.HttpStatus;
import java.util.List;

/**
 * The problems the API raises, one factory per kind so every error has a stable {@code type} URI
 * and a detail that says what to do next.
 */
public final class Problems {
  static final String BASE = "https://engram.dev/problems/";

  private Problems() {}

  public static ApiProblem badRequest(String detail) {
    return of("bad-request", HttpStatus.BAD_REQUEST, detail);
  }

  /** A 400 about one field of the request, named by its JSON pointer or parameter name. */
  public static ApiProblem invalidField(String pointer, String detail) {
    return new ApiProblem(
        invalid(400, "Bad Request", List.of(new Problem.InvalidField(pointer, detail))));
  }

  /** A 400 for a collection name outside {@code CollectionRegistry.isValidName}. */
  public static ApiProblem invalidCollection(String name) {
    return badRequest(
        "collection '" + name + "' is not a valid name: use " + Collections.NAME_RULE);
  }

  public static ApiProblem notFound(String what, String detail) {
    return of(what + "-not-found", HttpStatus.NOT_FOUND, detail);
  }

  public static ApiProblem forbidden(String detail) {
    return of("path-not-allowed", HttpStatus.FORBIDDEN, detail);
  }

  /** A change the current state refuses (e.g. archiving the serving model version). */
  public static ApiProblem conflict(String detail) {
    return of("conflict", HttpStatus.CONFLICT, detail);
  }

  /** A change that needs an explicit approval the request did not give. */
  public static ApiProblem approvalRequired(String detail) {
    return of("approval-required", HttpStatus.FORBIDDEN, detail);
  }

  /** A request without a valid API key; the detail never repeats what the client sent. */
  public static ApiProblem unauthorized(String detail) {
    return of("unauthorized", HttpStatus.UNAUTHORIZED, detail);
  }

  /** A valid API key without the scope the endpoint needs. */
  public static ApiProblem insufficientScope(String detail) {
    return of("insufficient-scope", HttpStatus.FORBIDDEN, detail);
  }

  /** An API key over its rate limit. */
  public static ApiProblem rateLimited(String detail) {
    return of("rate-limited", HttpStatus.TOO_MANY_REQUESTS, detail);
  }

  /** A request body over its size limit, refused before it is read. */
  public static ApiProblem tooLarge(String detail) {
    return of("request-too-large", HttpStatus.REQUEST_ENTITY_TOO_LARGE, detail);
  }

  /** A body sent without its length where the endpoint needs to know it before reading. */
  public static ApiProblem lengthRequired(String detail) {
    return of("length-required", HttpStatus.LENGTH_REQUIRED, detail);
  }

  public static ApiProblem unsupportedType(String detail) {
    return of("unsupported-type", HttpStatus.UNSUPPORTED_MEDIA_TYPE, detail);
  }

  public static ApiProblem unavailable(String detail) {
    return of("service-unavailable", HttpStatus.SERVICE_UNAVAILABLE, detail);
  }

  /** A request whose fields could not be bound or validated; the detail lists them. */
  static Problem invalid(int status, String title, List<Problem.InvalidField> errors) {
    StringBuilder detail = new StringBuilder();
    for (Problem.InvalidField error : errors) {
      detail.append(detail.isEmpty() ? "" : "; ");
      detail.append(error.pointer().isEmpty() ? "the body" : error.pointer());
      detail.append(": ").append(error.detail());
    }
    return new Problem(BASE + "invalid-request", title, status, detail.toString(), null, errors);
  }

  /** A failure of the server: nothing but the id its log line is found by. */
  static Problem internalError(String requestId) {
    return new Problem(
        BASE + "internal-error",
        "Internal Server Error",
        500,
        "the request failed on the server; quote request id " + requestId + " when reporting it",
        requestId,
        null);
  }

  /** A problem of {@code type} whose title is the reason phrase of its HTTP status. */
  private static ApiProblem of(String type, HttpStatus status, String detail) {
    return new ApiProblem(new Problem(BASE + type, status.getReason(), status.getCode(), detail));
  }
}
