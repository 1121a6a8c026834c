package io.engram.cli;

import io.engram.cli.EngramClient.Reply;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Polls a workflow's status through the API until it ends, for the commands that follow one ({@code
 * ingest}, {@code eval}, {@code retrain}). Short outages of the API and its rate limit are ridden
 * out, because the workflow itself keeps running and giving up would only lose the report.
 */
final class WorkflowPoller {

  static final Duration POLL_INTERVAL = Duration.ofMillis(500);

  /** How long polling tolerates an API that stopped answering, e.g. while it restarts. */
  static final Duration POLL_GRACE = Duration.ofSeconds(60);

  /**
   * How long polling tolerates an API that refuses every request for the rate limit (429), e.g.
   * while a load test uses up the same key: it answers, and says when to come back.
   */
  static final Duration RATE_LIMIT_GRACE = Duration.ofMinutes(5);

  /** The longest one wait for a {@code Retry-After}, whatever the API asks. */
  static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(30);

  /** Waits between requests; tests pass one that moves their clock instead. */
  @FunctionalInterface
  interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

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
    return follow(
        label,
        fetch,
        progress,
        err,
        System::nanoTime,
        duration -> Thread.sleep(duration.toMillis()));
  }

  /** {@link #follow(String, Supplier, Function, PrintWriter)} on the given clock and sleeper. */
  static <T> Reply<T> follow(
      String label,
      Supplier<Reply<T>> fetch,
      Function<T, Progress> progress,
      PrintWriter err,
      LongSupplier nanoTime,
      Sleeper sleeper)
      throws InterruptedException {
    ProgressBar bar = new ProgressBar(err, ProgressBar.terminalAttached(), label);
    try {
      return untilDone(fetch, progress, bar, err, nanoTime, sleeper);
    } finally {
      bar.finish();
    }
  }

  private static <T> Reply<T> untilDone(
      Supplier<Reply<T>> fetch,
      Function<T, Progress> progress,
      ProgressBar bar,
      PrintWriter err,
      LongSupplier nanoTime,
      Sleeper sleeper)
      throws InterruptedException {
    Outages outages = new Outages(err, nanoTime, sleeper);
    while (true) {
      Reply<T> reply = outages.attempt(fetch);
      if (reply == null) {
        continue;
      }
      Progress shown = progress.apply(reply.value());
      bar.update(shown.done(), shown.total(), shown.detail());
      if (isTerminal(shown.status())) {
        return reply;
      }
      sleeper.sleep(POLL_INTERVAL);
    }
  }

  /**
   * Rides out an API that stopped answering (for {@link #POLL_GRACE}) or refuses for the rate limit
   * (for {@link #RATE_LIMIT_GRACE}, waiting what it asks), for a loop that polls it: the workflow
   * it reports on keeps running meanwhile. Bad input ends the loop at once.
   */
  static final class Outages {
    private final PrintWriter err;
    private final LongSupplier nanoTime;
    private final Sleeper sleeper;
    private long failingSince = -1;

    Outages(PrintWriter err, LongSupplier nanoTime, Sleeper sleeper) {
      this.err = err;
      this.nanoTime = nanoTime;
      this.sleeper = sleeper;
    }

    /** On the real clock. */
    Outages(PrintWriter err) {
      this(err, System::nanoTime, duration -> Thread.sleep(duration.toMillis()));
    }

    /**
     * One request: its result, or null after a failure within its grace has been waited out (ask
     * again).
     *
     * @throws CliException for bad input, or a failure that outlasted its grace
     */
    <T> T attempt(Supplier<T> fetch) throws InterruptedException {
      try {
        T value = fetch.get();
        failingSince = -1;
        return value;
      } catch (CliException e) {
        if (e.exitCode() == CliException.USAGE) {
          throw e;
        }
        long now = nanoTime.getAsLong();
        Duration grace = e.rateLimited() ? RATE_LIMIT_GRACE : POLL_GRACE;
        if (failingSince < 0) {
          failingSince = now;
          err.println("warning: " + e.getMessage() + "; retrying");
          err.flush();
        } else if (now - failingSince > grace.toNanos()) {
          throw e;
        }
        sleeper.sleep(waitAfter(e));
        return null;
      }
    }
  }

  /**
   * How long to wait after a failed request: what the API asked for ({@code Retry-After}, at most
   * {@link #MAX_RETRY_AFTER}), else the poll interval.
   */
  static Duration waitAfter(CliException failure) {
    Duration asked = failure.retryAfter().orElse(POLL_INTERVAL);
    if (asked.compareTo(MAX_RETRY_AFTER) > 0) {
      return MAX_RETRY_AFTER;
    }
    return asked.compareTo(POLL_INTERVAL) < 0 ? POLL_INTERVAL : asked;
  }
}
