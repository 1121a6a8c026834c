package io.engram.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.engram.cli.EngramClient.Reply;
import io.engram.cli.FakeApi.Response;
import io.engram.contract.Ingestions.IngestionStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * How following a workflow rides out the API's rate limit, against a stand-in API and a clock that
 * only the poller's waits move.
 */
class WorkflowPollerTest {
  private static final String ID = "ingest-notes-1";

  private final AtomicLong nanos = new AtomicLong();
  private final List<Duration> waits = new CopyOnWriteArrayList<>();
  private final StringWriter err = new StringWriter();

  private static IngestionStatus status(String status) {
    return new IngestionStatus(
        ID, "run-1", status, "embedding", 2, 1, 0, 0, 0, 3, List.of(), List.of(), null, null);
  }

  private static Response tooMany(String retryAfter) {
    Response refused = Response.problem(429, "Too Many Requests", "rate limit of key k1 exceeded");
    return retryAfter == null ? refused : refused.withHeader("Retry-After", retryAfter);
  }

  private Reply<IngestionStatus> follow(FakeApi api) throws InterruptedException {
    EngramClient client = new EngramClient(api.url());
    return WorkflowPoller.follow(
        "ingesting",
        () -> client.ingestion(ID),
        s -> new WorkflowPoller.Progress(s.status(), s.done(), s.total(), s.phase()),
        new PrintWriter(err, true),
        nanos::get,
        wait -> {
          waits.add(wait);
          nanos.addAndGet(wait.toNanos());
        });
  }

  @Test
  void a_rate_limited_poll_waits_what_retry_after_asks_at_most_the_cap_and_goes_on()
      throws Exception {
    List<Response> answers =
        List.of(
            tooMany("7"),
            tooMany("600"),
            tooMany(null),
            Response.json(200, status("RUNNING")),
            Response.json(200, status("COMPLETED")));
    AtomicInteger polls = new AtomicInteger();
    try (FakeApi api = new FakeApi()) {
      api.on("GET", "/v1/ingestions/" + ID, r -> answers.get(polls.getAndIncrement()));

      Reply<IngestionStatus> last = follow(api);

      assertThat(last.value().status()).isEqualTo("COMPLETED");
      assertThat(waits)
          .containsExactly(
              Duration.ofSeconds(7),
              WorkflowPoller.MAX_RETRY_AFTER,
              WorkflowPoller.POLL_INTERVAL,
              WorkflowPoller.POLL_INTERVAL);
      assertThat(err.toString())
          .containsOnlyOnce("warning: Too Many Requests")
          .contains("(rate limited: try again in 7 s); retrying");
    }
  }

  @Test
  void a_rate_limit_that_never_lifts_ends_polling_as_a_transient_failure_after_the_grace()
      throws Exception {
    try (FakeApi api = new FakeApi()) {
      api.on("GET", "/v1/ingestions/" + ID, r -> tooMany("30"));

      CliException gaveUp = catchThrowableOfType(CliException.class, () -> follow(api));

      assertThat(gaveUp.exitCode()).isEqualTo(CliException.FAILURE);
      assertThat(gaveUp.rateLimited()).isTrue();
      assertThat(Duration.ofNanos(nanos.get()))
          .isGreaterThan(WorkflowPoller.RATE_LIMIT_GRACE)
          .isLessThanOrEqualTo(WorkflowPoller.RATE_LIMIT_GRACE.plus(Duration.ofSeconds(30)));
      assertThat(waits).allMatch(Duration.ofSeconds(30)::equals);
    }
  }
}
