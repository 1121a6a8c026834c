package io.engram.cli;

import java.time.Duration;
import java.util.Optional;

/**
 * A failure the user can act on. Its message is printed as {@code error: <message>} without a stack
 * trace, and its exit code becomes the process exit code, so scripts can tell a bad request (2)
 * from a server failure or a rate limit (1) and an unreachable API (3).
 */
final class CliException extends RuntimeException {

  /**
   * The request or the command line was wrong, or the API refused it as it stands (4xx other than
   * 429: unknown, forbidden, conflicting with the current state): fixing the input fixes the
   * problem, repeating it unchanged does not.
   */
  static final int USAGE = 2;

  /** The server or the workflow failed, or the API asked to slow down: retrying later may help. */
  static final int FAILURE = 1;

  /** Nothing answered at the API address: the API is not running or the URL is wrong. */
  static final int UNREACHABLE = 3;

  /** The HTTP status of {@code 403 Forbidden}: the key lacks the scope the endpoint needs. */
  static final int FORBIDDEN = 403;

  /** The HTTP status of {@code 429 Too Many Requests}. */
  static final int TOO_MANY_REQUESTS = 429;

  private final int exitCode;
  private final int httpStatus;
  private final Duration retryAfter;

  CliException(String message, int exitCode) {
    this(message, exitCode, 0, null);
  }

  CliException(String message, int exitCode, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
    this.httpStatus = 0;
    this.retryAfter = null;
  }

  /**
   * An error answer of the API.
   *
   * @param httpStatus its HTTP status
   * @param retryAfter how long it asked to wait before the next request ({@code Retry-After}), or
   *     null when it did not say
   */
  CliException(String message, int exitCode, int httpStatus, Duration retryAfter) {
    super(message);
    this.exitCode = exitCode;
    this.httpStatus = httpStatus;
    this.retryAfter = retryAfter;
  }

  int exitCode() {
    return exitCode;
  }

  /** The HTTP status of the API's error answer; 0 when the failure was not an API answer. */
  int httpStatus() {
    return httpStatus;
  }

  /** Whether the API refused the request for the caller's rate limit (429). */
  boolean rateLimited() {
    return httpStatus == TOO_MANY_REQUESTS;
  }

  /** How long the API asked to wait before the next request, when it said. */
  Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
