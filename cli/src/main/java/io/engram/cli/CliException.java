package io.engram.cli;

/**
 * A failure the user can act on. Its message is printed as {@code error: <message>} without a stack
 * trace, and its exit code becomes the process exit code, so scripts can tell a bad request (2)
 * from a server failure (1) and an unreachable API (3).
 */
final class CliException extends RuntimeException {

  /** The request or the command line was wrong: fixing the input fixes the problem. */
  static final int USAGE = 2;

  /** The server or the workflow failed: retrying later may help. */
  static final int FAILURE = 1;

  /** Nothing answered at the API address: the API is not running or the URL is wrong. */
  static final int UNREACHABLE = 3;

  private final int exitCode;

  CliException(String message, int exitCode) {
    super(message);
    this.exitCode = exitCode;
  }

  CliException(String message, int exitCode, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  int exitCode() {
    return exitCode;
  }
}
