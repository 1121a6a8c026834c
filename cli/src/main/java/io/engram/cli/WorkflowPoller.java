package io.engram.cli;

import io.engram.cli.EngramClient.Reply;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Polls a workflow's status through the API until it ends, for the commands that follow one ({@code
 * ingest}, {@code eval}). Short outages of the API are ridden out, because the workflow itself
 * keeps running and giving up would only lose the report.
 */
final class WorkflowPoller {

  static final Duration POLL_INTERVAL = Duration.ofMillis(500);

  /** How long polling tolerates an API that stopped answering, e.g. while it restarts. */
  static final Duration POLL_GRACE = Duration.ofSeconds(60);

  private WorkflowPoller() {}

  /**
   * Only the statuses Temporal never leaves count as final; anything else (including a status this
   * CLI does not know yet) means the workflow may still make progress.
   */
  private static boolean isTerminal(String status) {
    return status != null
        && switch (status) {
          case "COMPLETED", "FAILED", "CANCELED", "CANCELLED", "TERMINATED", "TIMED_OUT" -> true;
          default -> false;
        };
  }

  /** What a progress bar shows of a workflow's status, and the workflow's status itself. */
  record Progress(String status, long done, long total, String detail) {}

  /**
   * Fetches the status until the workflow has ended, showing each one on a progress bar on {@code
   * err}.
   *
   * @param label what the bar says the workflow is doing, e.g. {@code ingesting}
   * @param fetch one status request; a {@link CliException} of exit code USAGE ends polling at once
   * @param progress what of a status the bar shows
   * @return the last reply, the one of the ended workflow
   */
  static <T> Reply<T> follow(
      String label, Supplier<Reply<T>> fetch, Function<T, Progress> progress, PrintWriter err)
      throws InterruptedException {
    ProgressBar bar = new ProgressBar(err, ProgressBar.terminalAttached(), label);
    try {
      return untilDone(fetch, progress, bar, err);
    } finally {
      bar.finish();
    }
  }

  private static <T> Reply<T> untilDone(
      Supplier<Reply<T>> fetch, Function<T, Progress> progress, ProgressBar bar, PrintWriter err)
      throws InterruptedException {
    long failingSince = -1;
    while (true) {
      Reply<T> reply;
      try {
        reply = fetch.get();
        failingSince = -1;
      } catch (CliException e) {
        if (e.exitCode() == CliException.USAGE) {
          throw e;
        }
        long now = System.nanoTime();
        if (failingSince < 0) {
          failingSince = now;
          err.println("warning: " + e.getMessage() + "; retrying");
          err.flush();
        } else if (now - failingSince > POLL_GRACE.toNanos()) {
          throw e;
        }
        Thread.sleep(POLL_INTERVAL.toMillis());
        continue;
      }
      Progress shown = progress.apply(reply.value());
      bar.update(shown.done(), shown.total(), shown.detail());
      if (isTerminal(shown.status())) {
        return reply;
      }
      Thread.sleep(POLL_INTERVAL.toMillis());
    }
  }
}
