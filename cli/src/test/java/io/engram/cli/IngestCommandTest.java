package io.engram.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import io.engram.cli.FakeApi.Response;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IngestCommandTest {

  private static final String WORKFLOW = "ingest-docs-1";

  @TempDir Path tmp;

  private FakeApi api;

  @BeforeEach
  void startApi() throws IOException {
    api = new FakeApi();
  }

  @AfterEach
  void stopApi() {
    api.close();
  }

  @Test
  void uploadsOnlyMissingBlobsSendsManifestAndPrintsFinalProgressAsJson() throws Exception {
    Path docs = Files.createDirectories(tmp.resolve("docs"));
    Path a = write(docs.resolve("a.txt"), "alpha");
    Path b = write(docs.resolve("b.md"), "# bravo\n");
    Path c = write(docs.resolve("sub/c.txt"), "charlie ".repeat(5000));
    write(docs.resolve(".hidden.txt"), "not for ingestion");
    write(docs.resolve(".git/config"), "[core]");
    Map<String, Path> byHash = Map.of(sha256(a), a, sha256(b), b, sha256(c), c);

    Map<String, byte[]> uploaded = new ConcurrentHashMap<>();
    AtomicInteger polls = new AtomicInteger();
    api.on(
            "POST",
            "/v1/blobs/missing",
            r -> {
              List<String> missing = new ArrayList<>();
              r.json().get("hashes").forEach(h -> missing.add(h.asText()));
              missing.remove(sha256(a));
              return Response.json(200, "{\"missing\":" + toJson(missing) + "}");
            })
        .on(
            "PUT",
            "/v1/blobs/[0-9a-f]{64}",
            r -> {
              String hash = r.path().substring("/v1/blobs/".length());
              uploaded.put(hash, r.body());
              return Response.json(
                  201, "{\"sha256\":\"" + hash + "\",\"size\":" + r.body().length + "}");
            })
        .on(
            "POST",
            "/v1/ingestions",
            r ->
                Response.json(
                    202,
                    "{\"workflowId\":\"" + WORKFLOW + "\",\"runId\":\"run-1\",\"attached\":false}"))
        .on(
            "GET",
            "/v1/ingestions/" + WORKFLOW,
            r -> {
              boolean finished = polls.incrementAndGet() >= 3;
              return Response.json(
                  200,
                  progress(
                      finished ? "COMPLETED" : "RUNNING",
                      finished ? "done" : "embedding",
                      3,
                      finished ? 2 : 1,
                      finished ? 1 : 0,
                      "[{\"source\":\"" + b + "\",\"reason\":\"unsupported format\"}]"));
            });

    CliRunner.Result result =
        CliRunner.run(
            "--api",
            api.url(),
            "ingest",
            docs.toString(),
            "--collection",
            "docs",
            "--chunk-size",
            "500",
            "--json");

    assertThat(result.exitCode()).as(result.err()).isZero();

    // Only the blobs the API reported missing were uploaded, and with the right content.
    assertThat(uploaded.keySet()).containsExactlyInAnyOrder(sha256(b), sha256(c));
    for (Map.Entry<String, byte[]> upload : uploaded.entrySet()) {
      assertThat(upload.getValue()).isEqualTo(Files.readAllBytes(byHash.get(upload.getKey())));
    }
    assertThat(api.requests("PUT", "/v1/blobs/.*"))
        .allSatisfy(r -> assertThat(r.contentType()).isEqualTo("application/octet-stream"));
    List<FakeApi.Request> missingChecks = api.requests("POST", "/v1/blobs/missing");
    assertThat(missingChecks).hasSize(1);
    List<String> asked = new ArrayList<>();
    missingChecks.get(0).json().get("hashes").forEach(h -> asked.add(h.asText()));
    assertThat(asked).containsExactlyInAnyOrderElementsOf(byHash.keySet());

    // The manifest names every visible file by its real path, hash and size.
    JsonNode manifest = api.requests("POST", "/v1/ingestions").get(0).json();
    assertThat(manifest.get("collection").asText()).isEqualTo("docs");
    assertThat(manifest.get("origin").asText()).isEqualTo(docs.toRealPath().toString());
    assertThat(manifest.get("chunkSize").asInt()).isEqualTo(500);
    assertThat(manifest.has("chunkOverlap")).isFalse();
    assertThat(manifest.has("path")).isFalse();
    Map<String, String> hashesByPath = new HashMap<>();
    Map<String, Long> sizesByPath = new HashMap<>();
    manifest
        .get("files")
        .forEach(
            f -> {
              hashesByPath.put(f.get("path").asText(), f.get("sha256").asText());
              sizesByPath.put(f.get("path").asText(), f.get("size").asLong());
            });
    assertThat(hashesByPath)
        .containsOnly(
            Map.entry(a.toRealPath().toString(), sha256(a)),
            Map.entry(b.toRealPath().toString(), sha256(b)),
            Map.entry(c.toRealPath().toString(), sha256(c)));
    assertThat(sizesByPath.get(c.toRealPath().toString())).isEqualTo(Files.size(c));

    // It polled until the workflow completed and printed exactly one JSON document.
    assertThat(polls.get()).isEqualTo(3);
    JsonNode printed =
        EngramClient.JSON
            .readerFor(JsonNode.class)
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .readValue(result.out());
    assertThat(printed.get("status").asText()).isEqualTo("COMPLETED");
    assertThat(printed.get("workflowId").asText()).isEqualTo(WORKFLOW);
    assertThat(printed.get("done").asInt()).isEqualTo(2);
    assertThat(printed.get("failed").asInt()).isEqualTo(1);
    assertThat(printed.get("errors").get(0).get("reason").asText()).isEqualTo("unsupported format");
    assertThat(printed.get("errors").get(0).get("source").asText()).isEqualTo(b.toString());
    assertThat(result.err()).doesNotContain("Exception");
  }

  @Test
  void humanSummaryListsFailuresAndLinksToTheTemporalUi() throws Exception {
    Path file = write(tmp.resolve("report.txt"), "quarterly numbers");
    StringBuilder errors = new StringBuilder("[");
    for (int i = 0; i < 25; i++) {
      errors.append(i == 0 ? "" : ",");
      errors.append("{\"source\":\"doc-").append(i).append("\",\"reason\":\"broken\"}");
    }
    errors.append(']');
    api.on("POST", "/v1/blobs/missing", r -> Response.json(200, "{\"missing\":[]}"))
        .on("POST", "/v1/ingestions", r -> started(true))
        .on(
            "GET",
            "/v1/ingestions/.*",
            r -> Response.json(200, progress("COMPLETED", "done", 30, 5, 25, errors.toString())));

    CliRunner.Result result =
        CliRunner.run(
            Map.of("ENGRAM_TEMPORAL_UI_URL", "http://temporal.example:8233/"),
            "--api",
            api.url(),
            "ingest",
            file.toString());

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(api.requests("PUT", ".*")).isEmpty();
    assertThat(result.out())
        .containsPattern(
            "ingested 30 documents into 'default': 5 new/changed, 0 skipped, 25 failed,"
                + " 0 tombstoned, 42 chunks in \\d+\\.\\d s")
        .contains("  doc-0: broken", "  doc-19: broken", "  ... and 5 more")
        .doesNotContain("doc-20:")
        .contains(
            "workflow "
                + WORKFLOW
                + " — see it in the Temporal UI:"
                + " http://temporal.example:8233/namespaces/default/workflows/"
                + WORKFLOW);
    assertThat(result.err()).contains("already running");
  }

  @Test
  void failedWorkflowExitsWithOne() throws Exception {
    Path file = write(tmp.resolve("a.txt"), "a");
    api.on("POST", "/v1/blobs/missing", r -> Response.json(200, "{\"missing\":[]}"))
        .on("POST", "/v1/ingestions", r -> started(false))
        .on(
            "GET",
            "/v1/ingestions/.*",
            r -> Response.json(200, progress("FAILED", "embedding", 1, 0, 0, "[]")));

    CliRunner.Result result = CliRunner.run("--api", api.url(), "ingest", file.toString());

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.out()).contains("ended with status FAILED");
    assertThat(result.err()).contains("error: the ingestion workflow ended with status FAILED");
  }

  @Test
  void serverPathSendsTheAbsolutePathAndUploadsNothing() {
    api.on("POST", "/v1/ingestions", r -> started(false));

    CliRunner.Result result =
        CliRunner.run(
            "--api",
            api.url(),
            "ingest",
            "shared/../corpus",
            "--server-path",
            "--no-wait",
            "--chunk-overlap",
            "20");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(api.requests()).hasSize(1);
    JsonNode body = api.requests().get(0).json();
    assertThat(body.get("path").asText())
        .isEqualTo(Path.of("corpus").toAbsolutePath().normalize().toString());
    assertThat(body.get("chunkOverlap").asInt()).isEqualTo(20);
    assertThat(body.has("files")).isFalse();
    assertThat(body.has("collection")).isFalse();
    assertThat(result.out()).contains("started ingestion workflow " + WORKFLOW);
  }

  @Test
  void noWaitWithJsonPrintsTheStartResponse() throws Exception {
    Path file = write(tmp.resolve("a.txt"), "a");
    api.on("POST", "/v1/blobs/missing", r -> Response.json(200, "{\"missing\":[]}"))
        .on("POST", "/v1/ingestions", r -> started(false));

    CliRunner.Result result =
        CliRunner.run("--api", api.url(), "ingest", file.toString(), "--no-wait", "--json");

    assertThat(result.exitCode()).as(result.err()).isZero();
    JsonNode printed = EngramClient.JSON.readTree(result.out());
    assertThat(printed.get("workflowId").asText()).isEqualTo(WORKFLOW);
    assertThat(api.requests("GET", ".*")).isEmpty();
  }

  @Test
  void missingPathIsAUsageErrorAndContactsNothing() {
    Path absent = tmp.resolve("absent");

    CliRunner.Result result = CliRunner.run("--api", api.url(), "ingest", absent.toString());

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("error: no such file or directory: " + absent);
    assertThat(result.out()).isEmpty();
    assertThat(api.requests()).isEmpty();
  }

  @Test
  void uploadsRunConcurrentlyButAtMostFourAtATime() throws Exception {
    int files = 12;
    Path docs = Files.createDirectories(tmp.resolve("many"));
    for (int i = 0; i < files; i++) {
      write(docs.resolve("f" + i + ".txt"), "file number " + i);
    }
    // Each upload is held until the test lets it finish, so the test sees how many run at once.
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger peak = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    Semaphore permits = new Semaphore(0);
    api.on(
            "POST",
            "/v1/blobs/missing",
            r -> Response.json(200, "{\"missing\":" + r.json().get("hashes") + "}"))
        .on(
            "PUT",
            "/v1/blobs/.*",
            r -> {
              peak.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
              try {
                if (!permits.tryAcquire(30, TimeUnit.SECONDS)) {
                  return Response.json(503, "{\"title\":\"the test never released this upload\"}");
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } finally {
                inFlight.decrementAndGet();
                finished.incrementAndGet();
              }
              String hash = r.path().substring("/v1/blobs/".length());
              return Response.json(201, "{\"sha256\":\"" + hash + "\",\"size\":1}");
            })
        .on("POST", "/v1/ingestions", r -> started(false));

    CompletableFuture<CliRunner.Result> run =
        CompletableFuture.supplyAsync(
            () -> CliRunner.run("--api", api.url(), "ingest", docs.toString(), "--no-wait"));
    // Released one at a time, each only once exactly four (or all that are left) are in flight:
    // a client that uploads fewer at once, or more, fails the wait.
    for (int done = 0; done < files; done++) {
      int finishedSoFar = done;
      int expected = Math.min(IngestCommand.UPLOAD_CONCURRENCY, files - done);
      await(expected + " uploads in flight after " + done + " finished")
          .atMost(Duration.ofSeconds(30))
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(10))
          .until(() -> finished.get() == finishedSoFar && inFlight.get() == expected);
      permits.release();
    }
    CliRunner.Result result = run.get(30, TimeUnit.SECONDS);

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(api.requests("PUT", ".*")).hasSize(files);
    assertThat(peak.get()).isEqualTo(IngestCommand.UPLOAD_CONCURRENCY);
    assertThat(result.err()).contains("uploading");
  }

  @Test
  void identicalFilesAreUploadedOnce() throws Exception {
    Path docs = Files.createDirectories(tmp.resolve("dupes"));
    write(docs.resolve("one.txt"), "same");
    write(docs.resolve("two.txt"), "same");
    api.on(
            "POST",
            "/v1/blobs/missing",
            r -> Response.json(200, "{\"missing\":" + r.json().get("hashes") + "}"))
        .on(
            "PUT",
            "/v1/blobs/.*",
            r ->
                Response.json(
                    201,
                    "{\"sha256\":\""
                        + r.path().substring("/v1/blobs/".length())
                        + "\",\"size\":4}"))
        .on("POST", "/v1/ingestions", r -> started(false));

    CliRunner.Result result =
        CliRunner.run("--api", api.url(), "ingest", docs.toString(), "--no-wait");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(api.requests("POST", "/v1/blobs/missing").get(0).json().get("hashes")).hasSize(1);
    assertThat(api.requests("PUT", ".*")).hasSize(1);
    assertThat(api.requests("POST", "/v1/ingestions").get(0).json().get("files")).hasSize(2);
  }

  @Test
  void invalidChunkOptionsAreRejectedBeforeAnyRequest() throws Exception {
    Path file = write(tmp.resolve("a.txt"), "a");

    CliRunner.Result result =
        CliRunner.run(
            "--api",
            api.url(),
            "ingest",
            file.toString(),
            "--chunk-size",
            "100",
            "--chunk-overlap",
            "100");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--chunk-overlap must be smaller than --chunk-size");
    assertThat(api.requests()).isEmpty();
  }

  private static Response started(boolean attached) {
    return Response.json(
        202,
        "{\"workflowId\":\"" + WORKFLOW + "\",\"runId\":\"run-1\",\"attached\":" + attached + "}");
  }

  private static String progress(
      String status, String phase, int total, int done, int failed, String errors) {
    return "{\"workflowId\":\""
        + WORKFLOW
        + "\",\"runId\":\"run-1\",\"status\":\""
        + status
        + "\",\"phase\":\""
        + phase
        + "\",\"total\":"
        + total
        + ",\"done\":"
        + done
        + ",\"skipped\":0,\"failed\":"
        + failed
        + ",\"tombstoned\":0,\"chunks\":42,\"errors\":"
        + errors
        + "}";
  }

  private static Path write(Path file, String content) throws IOException {
    Files.createDirectories(file.getParent());
    return Files.writeString(file, content, StandardCharsets.UTF_8);
  }

  static String sha256(Path file) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String toJson(List<String> values) {
    return values.stream().map(v -> "\"" + v + "\"").collect(Collectors.joining(",", "[", "]"));
  }
}
