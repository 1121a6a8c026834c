package io.engram.api.problems;

/**
 * The problems the API raises, one factory per kind so every error has a stable {@code type} URI
 * and a detail that says what to do next.
 */
public final class Problems {
  static final String BASE = "https://engram.dev/problems/";

  private Problems() {}

  public static ApiProblem badRequest(String detail) {
    return of("bad-request", "Bad Request", 400, detail);
  }

  public static ApiProblem notFound(String what, String detail) {
    return of(what + "-not-found", "Not Found", 404, detail);
  }

  public static ApiProblem forbidden(String detail) {
    return of("path-not-allowed", "Forbidden", 403, detail);
  }

  public static ApiProblem unsupportedType(String detail) {
    return of("unsupported-type", "Unsupported Media Type", 415, detail);
  }

  public static ApiProblem unavailable(String detail) {
    return of("service-unavailable", "Service Unavailable", 503, detail);
  }

  private static ApiProblem of(String type, String title, int status, String detail) {
    return new ApiProblem(new Problem(BASE + type, title, status, detail));
  }
}
