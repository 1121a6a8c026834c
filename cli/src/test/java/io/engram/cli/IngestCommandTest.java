package io.engram.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import io.engram.cli.FakeApi.Response;
import io.engram.contract.Blobs.MissingBlobs;
import io.engram.contract.Blobs.StoredBlob;
import io.engram.contract.Ingestions.IngestionStarted;
import io.engram.contract.Ingestions.IngestionStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code ingest} checks before it contacts the API, and how it spreads uploads; the command
 * against a real API is {@link IngestCommandIT}.
 */
class IngestCommandTest {
  /** Nothing listens there: a command that contacted the API would exit 3, not 2. */
  private static final String NO_API = "http://127.0.0.1:9";

  @TempDir Path tmp;

  @Test
  void a_missing_path_is_a_usage_error() {
    Path absent = tmp.resolve("absent");

    CliRunner.Result result = CliRunner.run("--api", NO_API, "ingest", absent.toString());

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("error: no such file or directory: " + absent);
    assertThat(result.out()).isEmpty();
  }

  @Test
  void invalid_chunk_options_are_refused_before_any_request() throws Exception {
    Path file = write(tmp.resolve("a.txt"), "a");

    CliRunner.Result result =
        CliRunner.run(
            "--api",
            NO_API,
            "ingest",
            file.toString(),
            "--chunk-size",
            "100",
            "--chunk-overlap",
            "100");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--chunk-overlap must be smaller than --chunk-size");

    CliRunner.Result small =
        CliRunner.run("--api", NO_API, "ingest", file.toString(), "--chunk-size", "10");
    assertThat(small.exitCode()).isEqualTo(2);
    assertThat(small.err()).contains("--chunk-size must be from 64 to 100000 characters");
  }

  @Test
  void uploads_run_concurrently_but_at_most_four_at_a_time() throws Exception {
    Path docs = Files.createDirectories(tmp.resolve("many"));
    for (int i = 0; i < 12; i++) {
      write(docs.resolve("f" + i + ".txt"), "file number " + i);
    }
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger peak = new AtomicInteger();
    // The first uploads are held until four are in flight at once, so the peak is reached
    // whatever the machine's speed; a fifth upload at the same time would raise the peak above it.
    CountDownLatch fourInFlight = new CountDownLatch(IngestCommand.UPLOAD_CONCURRENCY);
    try (FakeApi api = new FakeApi()) {
      api.on(
              "POST",
              "/v1/blobs/missing",
              r -> {
                List<String> all = new ArrayList<>();
                r.json().get("hashes").forEach(h -> all.add(h.asText()));
                return Response.json(200, new MissingBlobs(all));
              })
          .on(
              "PUT",
              "/v1/blobs/.*",
              r -> {
                peak.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                fourInFlight.countDown();
                try {
                  fourInFlight.await(1, TimeUnit.MINUTES);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
                inFlight.decrementAndGet();
                String hash = r.path().substring("/v1/blobs/".length());
                return Response.json(201, new StoredBlob(hash, r.body().length));
              })
          .on(
              "POST",
              "/v1/ingestions",
              r -> Response.json(202, new IngestionStarted("ingest-many-1", "run-1", false)));

      CliRunner.Result result =
          CliRunner.run("--api", api.url(), "ingest", docs.toString(), "--no-wait");

      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(api.requests("PUT", ".*")).hasSize(12);
      assertThat(peak.get()).isEqualTo(IngestCommand.UPLOAD_CONCURRENCY);
      assertThat(result.err()).contains("uploading");
    }
  }

  @Test
  void a_run_that_did_not_complete_says_why_and_where_to_see_it() throws Exception {
    String reason = "activity 'embed' failed: the embedding model server refused the batch";
    try (FakeApi api = new FakeApi()) {
      api.on(
              "POST",
              "/v1/ingestions",
              r -> Response.json(202, new IngestionStarted("ingest-notes-1", "run-1", false)))
          .on(
              "GET",
              "/v1/ingestions/ingest-notes-1",
              r ->
                  Response.json(
                      200,
                      new IngestionStatus(
                          "ingest-notes-1",
                          "run-1",
                          "FAILED",
                          "embedding",
                          3,
                          1,
                          0,
                          0,
                          0,
                          4,
                          List.of(),
                          List.of(),
                          null,
                          reason)));
      String[] args = {
        "--api", api.url(), "ingest", tmp.toString(), "--server-path", "--collection", "notes"
      };
      String link =
          "Temporal UI: http://localhost:8233/namespaces/default/workflows/ingest-notes-1";

      CliRunner.Result text = CliRunner.run(args);
      CliRunner.Result json = CliRunner.run(append(args, "--json"));

      assertThat(text.exitCode()).isEqualTo(1);
      assertThat(text.err())
          .contains("error: the ingestion workflow ended with status FAILED: " + reason);
      assertThat(text.out()).contains("ended with status FAILED").contains(link);
      assertThat(json.exitCode()).isEqualTo(1);
      assertThat(oneJsonDocument(json.out()).path("failure").asText()).isEqualTo(reason);
      assertThat(json.err())
          .contains("error: the ingestion workflow ended with status FAILED: " + reason)
          .contains(link);
    }
  }

  private static String[] append(String[] args, String arg) {
    String[] all = Arrays.copyOf(args, args.length + 1);
    all[args.length] = arg;
    return all;
  }

  private static JsonNode oneJsonDocument(String out) throws IOException {
    return EngramClient.JSON
        .readerFor(JsonNode.class)
        .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .readValue(out);
  }

  private static Path write(Path file, String content) throws IOException {
    Files.createDirectories(file.getParent());
    return Files.writeString(file, content, StandardCharsets.UTF_8);
  }
}
