package io.engram.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.engram.cli.FakeApi.Response;
import io.engram.contract.Blobs.MissingBlobs;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class EngramClientTest {

  @Test
  void missingBlobsAsksInBatchesOfAtMostOneThousand() throws IOException {
    List<String> hashes =
        IntStream.range(0, 2500).mapToObj(i -> String.format("%064x", i)).toList();
    try (FakeApi api = new FakeApi()) {
      api.on(
          "POST",
          "/v1/blobs/missing",
          r ->
              Response.json(
                  200, new MissingBlobs(List.of(r.json().get("hashes").get(0).asText()))));

      List<String> missing = new EngramClient(api.url()).missingBlobs(hashes);

      assertThat(api.requests())
          .extracting(r -> r.json().get("hashes").size())
          .containsExactly(1000, 1000, 500);
      assertThat(missing).containsExactly(hashes.get(0), hashes.get(1000), hashes.get(2000));
    }
  }

  @Test
  void aRateLimitIsATransientFailureWithTheWaitTheApiAskedForNotBadInput() throws IOException {
    try (FakeApi api = new FakeApi()) {
      Response tooMany =
          Response.problem(429, "Too Many Requests", "rate limit of key k1 exceeded")
              .withHeader("Retry-After", "7");
      api.on("GET", "/v1/ingestions/.*", r -> tooMany).on("POST", "/v1/ingestions", r -> tooMany);

      CliException refused =
          catchThrowableOfType(
              CliException.class, () -> new EngramClient(api.url()).ingestion("ingest-1"));
      CliRunner.Result cli = CliRunner.run("--api", api.url(), "ingest", ".", "--server-path");

      assertThat(refused.exitCode()).isEqualTo(CliException.FAILURE);
      assertThat(refused.rateLimited()).isTrue();
      assertThat(refused.retryAfter()).contains(Duration.ofSeconds(7));
      assertThat(refused.getMessage())
          .isEqualTo(
              "Too Many Requests: rate limit of key k1 exceeded (rate limited: try again in 7 s)");
      assertThat(cli.exitCode()).isEqualTo(1);
    }
  }

  @Test
  void aConflictWithTheCurrentStateIsARefusedRequestLikeOtherClientErrors() throws IOException {
    try (FakeApi api = new FakeApi()) {
      api.on(
          "POST",
          "/v1/rollouts/.*",
          r ->
              Response.problem(
                  409,
                  "Conflict",
                  "rollout r is rolled_back; only a promoted rollout can be undone"));

      CliException refused =
          catchThrowableOfType(
              CliException.class,
              () -> new EngramClient(api.url()).rolloutAction("r", "undo", null));

      assertThat(refused.exitCode()).isEqualTo(CliException.USAGE);
      assertThat(refused.rateLimited()).isFalse();
      assertThat(refused.retryAfter()).isEmpty();
    }
  }

  @Test
  void pathSegmentsAreEscaped() {
    assertThat(EngramClient.pathSegment("ingest/a b")).isEqualTo("ingest%2Fa%20b");
  }
}
