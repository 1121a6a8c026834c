package io.engram.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import io.engram.cli.FakeApi.Response;
import io.engram.contract.Blobs.MissingBlobs;
import io.engram.contract.Blobs.StoredBlob;
import io.engram.contract.Collections.DocumentDetail;
import io.engram.contract.Collections.DocumentPage;
import io.engram.contract.Collections.DocumentView;
import io.engram.contract.Collections.IndexHolding;
import io.engram.contract.Ingestions;
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
  void an_invalid_collection_name_is_refused_before_any_upload() throws Exception {
    Path file = write(tmp.resolve("a.txt"), "a");
    try (FakeApi api = new FakeApi()) {
      CliRunner.Result result =
          CliRunner.run("--api", api.url(), "ingest", file.toString(), "--collection", "Bad/Name");

      assertThat(result.exitCode()).isEqualTo(2);
      assertThat(result.err())
          .contains("--collection 'Bad/Name' is not a valid collection name")
          .contains("1-63 of a-z, 0-9, '_', '.', '-'");
      assertThat(api.requests()).isEmpty();
    }
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

  @Test
  void help_states_the_chunking_ranges_that_are_enforced() {
    CliRunner.Result help = CliRunner.run("ingest", "--help");

    assertThat(help.exitCode()).isZero();
    String flat = help.out().replaceAll("\\s+", " ");
    assertThat(flat)
        .contains(Ingestions.MIN_CHUNK_SIZE + "-" + Ingestions.MAX_CHUNK_SIZE)
        .contains("0-" + Ingestions.MAX_CHUNK_OVERLAP);
  }

  /**
   * An API whose ingestion completed, into collection qa whose one document is held by the serving
   * index (512/50) and by one of 2048/100.
   */
  private static FakeApi completedIngestionServedFrom512() throws IOException {
    FakeApi api = new FakeApi();
    String small = "bge-small-en-v1.5-q-c512-o50";
    String large = "bge-small-en-v1.5-q-c2048-o100";
    DocumentView doc = new DocumentView(7, "a.txt", "a", "text/plain", "active", null, "t");
    api.on(
            "POST",
            "/v1/ingestions",
            r -> Response.json(202, new IngestionStarted("ingest-qa-1", "run-1", false)))
        .on(
            "GET",
            "/v1/ingestions/ingest-qa-1",
            r ->
                Response.json(
                    200,
                    new IngestionStatus(
                        "ingest-qa-1",
                        "run-1",
                        "COMPLETED",
                        "done",
                        1,
                        1,
                        0,
                        0,
                        0,
                        35,
                        null,
                        null,
                        null,
                        null)))
        .on(
            "GET",
            "/v1/collections/qa/documents",
            r -> Response.json(200, new DocumentPage(List.of(doc), null)))
        .on(
            "GET",
            "/v1/collections/qa/documents/7",
            r ->
                Response.json(
                    200,
                    new DocumentDetail(
                        doc,
                        "/data",
                        "abc",
                        List.of(
                            new IndexHolding(small, "bge", 512, 50, 9, true, true, "t"),
                            new IndexHolding(large, "bge", 2048, 100, 35, true, false, "t")),
                        small,
                        List.of())));
    return api;
  }

  @Test
  void an_ingestion_with_a_chunking_nothing_serves_says_so() throws Exception {
    try (FakeApi api = completedIngestionServedFrom512()) {
      String[] base = {"--api", api.url(), "ingest", tmp.toString(), "--server-path"};
      String[] other = {"--collection", "qa", "--chunk-size", "2048", "--chunk-overlap", "100"};
      String[] args = Arrays.copyOf(base, base.length + other.length);
      System.arraycopy(other, 0, args, base.length, other.length);

      CliRunner.Result text = CliRunner.run(args);
      CliRunner.Result json = CliRunner.run(append(args, "--json"));
      CliRunner.Result served =
          CliRunner.run(
              "--api",
              api.url(),
              "ingest",
              tmp.toString(),
              "--server-path",
              "--collection",
              "qa",
              "--chunk-size",
              "512");
      CliRunner.Result plain =
          CliRunner.run(
              "--api", api.url(), "ingest", tmp.toString(), "--server-path", "--collection", "qa");

      assertThat(text.exitCode()).as(text.err()).isZero();
      assertThat(text.out())
          .contains(
              "note: chunking bge-small-en-v1.5-q-c2048-o100 is not what 'qa' is served from"
                  + " (bge-small-en-v1.5-q-c512-o50)")
          .contains("./engram retrain --collection qa --params chunkSize=2048,chunkOverlap=100");
      assertThat(json.exitCode()).as(json.err()).isZero();
      assertThat(oneJsonDocument(json.out()).path("status").asText()).isEqualTo("COMPLETED");
      assertThat(json.err()).contains("note: chunking bge-small-en-v1.5-q-c2048-o100");
      // The serving chunking (overlap taken from the serving index), or none asked: no note.
      assertThat(served.exitCode()).as(served.err()).isZero();
      assertThat(served.out()).doesNotContain("note:");
      assertThat(plain.out()).doesNotContain("note:");
      assertThat(api.requests("GET", "/v1/collections/qa/documents/7")).hasSize(2 + 1);
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
