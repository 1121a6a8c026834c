package io.engram.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The CLI's only way to reach Engram: JSON over HTTP against the public API, so the CLI runs on any
 * machine that can reach the API and never needs database or Temporal access.
 */
final class EngramClient {

  /** The API caps how many hashes one {@code /v1/blobs/missing} request may carry. */
  static final int MAX_HASHES_PER_REQUEST = 1000;

  static final ObjectMapper JSON =
      JsonMapper.builder()
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .build();

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration SHORT_TIMEOUT = Duration.ofSeconds(60);

  private final String baseUrl;
  private final HttpClient http;

  /**
   * Creates a client for the API at {@code baseUrl}.
   *
   * @throws CliException if the URL is not an absolute http(s) URL, because every later request
   *     would fail with a much less helpful message
   */
  EngramClient(String baseUrl) {
    this.baseUrl = validate(baseUrl);
    // HTTP/1.1 is pinned because the client would otherwise attempt an h2c upgrade that some
    // servers and proxies in front of the API handle badly.
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(CONNECT_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
  }

  String baseUrl() {
    return baseUrl;
  }

  /** Returns which of {@code hashes} the API does not hold yet, asking in bounded batches. */
  List<String> missingBlobs(Collection<String> hashes) {
    List<String> all = new ArrayList<>(hashes);
    List<String> missing = new ArrayList<>();
    for (int from = 0; from < all.size(); from += MAX_HASHES_PER_REQUEST) {
      List<String> batch = all.subList(from, Math.min(all.size(), from + MAX_HASHES_PER_REQUEST));
      HttpRequest request =
          jsonRequest("/v1/blobs/missing", new MissingBlobsRequest(batch))
              .timeout(SHORT_TIMEOUT)
              .build();
      MissingBlobsResponse response = read(send(request), MissingBlobsResponse.class);
      if (response.missing() != null) {
        missing.addAll(response.missing());
      }
    }
    return missing;
  }

  /** Uploads one file as the blob named by its sha256, streaming it from disk. */
  BlobReceipt putBlob(String sha256, Path file) {
    BodyPublisher body;
    try {
      body = BodyPublishers.ofFile(file);
    } catch (FileNotFoundException e) {
      throw new CliException("cannot read " + file + " for upload", CliException.FAILURE, e);
    }
    HttpRequest request =
        request("/v1/blobs/" + pathSegment(sha256))
            .header("Content-Type", "application/octet-stream")
            .PUT(body)
            .build();
    BlobReceipt receipt = read(send(request), BlobReceipt.class);
    if (receipt.sha256() != null && !receipt.sha256().equalsIgnoreCase(sha256)) {
      throw new CliException(
          file + " changed while it was being uploaded (expected sha256 " + sha256 + ")",
          CliException.FAILURE);
    }
    return receipt;
  }

  /** Starts an ingestion workflow, or attaches to the one already running for the same input. */
  IngestionStarted startIngestion(IngestionRequest body) {
    HttpRequest request = jsonRequest("/v1/ingestions", body).timeout(SHORT_TIMEOUT).build();
    return read(send(request), IngestionStarted.class);
  }

  /** Reads the progress record of an ingestion workflow. */
  Reply<IngestionProgress> ingestion(String workflowId) {
    HttpRequest request =
        request("/v1/ingestions/" + pathSegment(workflowId)).timeout(SHORT_TIMEOUT).GET().build();
    JsonNode json = send(request);
    return new Reply<>(read(json, IngestionProgress.class), json);
  }

  /** Starts an evaluation workflow over uploaded queries and qrels. */
  EvaluationStarted startEvaluation(EvaluationRequest body) {
    HttpRequest request = jsonRequest("/v1/evaluations", body).timeout(SHORT_TIMEOUT).build();
    return read(send(request), EvaluationStarted.class);
  }

  /** Reads an evaluation's progress, or its stored result once it has ended. */
  Reply<EvaluationStatus> evaluation(String workflowId) {
    HttpRequest request =
        request("/v1/evaluations/" + pathSegment(workflowId)).timeout(SHORT_TIMEOUT).GET().build();
    JsonNode json = send(request);
    return new Reply<>(read(json, EvaluationStatus.class), json);
  }

  /** Asks a question; no timeout is set because answer generation by an LLM may be slow. */
  Reply<QueryResponse> query(QueryRequest body) {
    return query(body, true);
  }

  /**
   * Asks a question; with {@code allowCached} false the API computes a fresh answer ({@code
   * Cache-Control: no-cache}) instead of serving one from its response cache.
   */
  Reply<QueryResponse> query(QueryRequest body, boolean allowCached) {
    HttpRequest.Builder request = jsonRequest("/v1/query", body);
    if (!allowCached) {
      request.header("Cache-Control", "no-cache");
    }
    JsonNode json = send(request.build());
    return new Reply<>(read(json, QueryResponse.class), json);
  }

  /** Opens a conversation session; returns its id. */
  String createSession(String collection) {
    Map<String, String> body = collection == null ? Map.of() : Map.of("collection", collection);
    HttpRequest request = jsonRequest("/v1/sessions", body).timeout(SHORT_TIMEOUT).build();
    return send(request).path("sessionId").asText();
  }

  /** Lists the Temporal Schedules of the API's namespace. */
  JsonNode schedules() {
    return send(request("/v1/schedules").timeout(SHORT_TIMEOUT).GET().build());
  }

  /** Reads the memory stats, with lifecycle events of the last {@code days} days. */
  JsonNode memoryStats(int days) {
    return send(request("/v1/memory/stats?days=" + days).timeout(SHORT_TIMEOUT).GET().build());
  }

  /** Starts a promotion (a dry run when asked) and returns the run id and, if done, its result. */
  JsonNode promote(boolean dryRun) {
    HttpRequest request =
        jsonRequest("/v1/memory/promotions", Map.of("dryRun", dryRun))
            .timeout(Duration.ofMinutes(3))
            .build();
    return send(request);
  }

  /**
   * Reads the health report. A 503 carrying a health document is a report that something is down,
   * not a failed request, so it is returned rather than thrown.
   */
  JsonNode health() {
    HttpRequest request = request("/health").timeout(Duration.ofSeconds(15)).GET().build();
    HttpResponse<String> response = exchange(request);
    if (response.statusCode() == 503) {
      JsonNode json = parseOrNull(response.body());
      if (json != null && json.has("status")) {
        return json;
      }
    }
    return bodyOf(response);
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(baseUrl + path))
        .header("Accept", "application/json, application/problem+json")
        .header("User-Agent", "engram-cli");
  }

  private HttpRequest.Builder jsonRequest(String path, Object body) {
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise " + body.getClass().getSimpleName(), e);
    }
    return request(path)
        .header("Content-Type", "application/json")
        .POST(BodyPublishers.ofByteArray(bytes));
  }

  private JsonNode send(HttpRequest request) {
    return bodyOf(exchange(request));
  }

  private HttpResponse<String> exchange(HttpRequest request) {
    try {
      return http.send(request, BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw transportFailure(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted", CliException.FAILURE, e);
    }
  }

  private JsonNode bodyOf(HttpResponse<String> response) {
    int status = response.statusCode();
    if (status >= 400) {
      throw problem(response);
    }
    if (status / 100 != 2) {
      throw new CliException(
          "unexpected HTTP " + status + " from " + response.request().uri(), CliException.FAILURE);
    }
    String body = response.body();
    if (body == null || body.isBlank()) {
      throw new CliException(
          "empty response from " + response.request().uri(), CliException.FAILURE);
    }
    JsonNode json = parseOrNull(body);
    if (json == null) {
      throw new CliException(
          "the response from " + response.request().uri() + " is not JSON: " + shorten(body, 200),
          CliException.FAILURE);
    }
    return json;
  }

  /**
   * Turns an error response into a one-line message. The API answers with RFC 7807 problem
   * documents, but a proxy or a framework default page may answer first, so the body is used
   * defensively.
   */
  private static CliException problem(HttpResponse<String> response) {
    int status = response.statusCode();
    JsonNode json = parseOrNull(response.body());
    String title = json == null ? null : text(json, "title");
    String detail = json == null ? null : text(json, "detail");
    if (title == null && json != null) {
      title = text(json, "message");
    }
    if (title == null) {
      title = "HTTP " + status;
      if (detail == null && json == null && response.body() != null) {
        String body = response.body().strip();
        detail = body.isEmpty() ? null : shorten(body, 200);
      }
    }
    String message = detail == null || detail.equals(title) ? title : title + ": " + detail;
    int exitCode = status < 500 ? CliException.USAGE : CliException.FAILURE;
    return new CliException(message, exitCode);
  }

  private CliException transportFailure(IOException e) {
    if (isUnreachable(e)) {
      return new CliException(
          "cannot reach the Engram API at "
              + baseUrl
              + " — start it with ./engram up (or set ENGRAM_API_URL)",
          CliException.UNREACHABLE,
          e);
    }
    String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return new CliException(
        "request to the Engram API at " + baseUrl + " failed: " + reason, CliException.FAILURE, e);
  }

  /** True when nothing accepted the connection, as opposed to a connection that broke later. */
  static boolean isUnreachable(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ConnectException
          || t instanceof HttpConnectTimeoutException
          || t instanceof UnresolvedAddressException
          || t instanceof UnknownHostException) {
        return true;
      }
    }
    return false;
  }

  private static <T> T read(JsonNode json, Class<T> type) {
    try {
      return JSON.treeToValue(json, type);
    } catch (JsonProcessingException e) {
      throw new CliException(
          "unexpected " + type.getSimpleName() + " from the API: " + e.getOriginalMessage(),
          CliException.FAILURE,
          e);
    }
  }

  private static JsonNode parseOrNull(String body) {
    if (body == null || body.isBlank()) {
      return null;
    }
    try {
      JsonNode json = JSON.readTree(body);
      return json != null && json.isContainerNode() ? json : null;
    } catch (JsonProcessingException e) {
      // Not JSON (for example an HTML error page): callers fall back to the raw text.
      return null;
    }
  }

  private static String text(JsonNode json, String field) {
    JsonNode value = json.get(field);
    return value == null || value.isNull() || value.asText().isBlank() ? null : value.asText();
  }

  static String shorten(String text, int max) {
    String oneLine = text.replaceAll("\\s+", " ").strip();
    return oneLine.length() <= max ? oneLine : oneLine.substring(0, max - 1).stripTrailing() + "…";
  }

  static String pathSegment(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String validate(String baseUrl) {
    String trimmed = baseUrl == null ? "" : baseUrl.strip();
    while (trimmed.endsWith("/")) {
      trimmed = trimmed.substring(0, trimmed.length() - 1);
    }
    try {
      URI uri = new URI(trimmed);
      String scheme = uri.getScheme();
      if (("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))
          && uri.getHost() != null
          && uri.getQuery() == null
          && uri.getFragment() == null) {
        return trimmed;
      }
    } catch (java.net.URISyntaxException e) {
      // Reported below together with the other malformed cases.
    }
    throw new CliException(
        "invalid API URL '" + baseUrl + "' (expected something like http://127.0.0.1:8080)",
        CliException.USAGE);
  }

  /** A typed view of a response together with the JSON it came from, for {@code --json}. */
  record Reply<T>(T value, JsonNode json) {}

  record MissingBlobsRequest(List<String> hashes) {}

  record MissingBlobsResponse(List<String> missing) {}

  record BlobReceipt(String sha256, long size) {}

  /**
   * The body of {@code POST /v1/ingestions}: either {@code origin} and {@code files} for uploaded
   * content, or {@code path} for a directory the API reads itself.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record IngestionRequest(
      String collection,
      String origin,
      String path,
      List<ManifestFile> files,
      Integer chunkSize,
      Integer chunkOverlap) {}

  record ManifestFile(String path, String sha256, long size) {}

  record IngestionStarted(String workflowId, String runId, boolean attached) {}

  record IngestionProgress(
      String workflowId,
      String runId,
      String status,
      String phase,
      long total,
      long done,
      long skipped,
      long failed,
      long tombstoned,
      long chunks,
      List<IngestionError> errors) {

    IngestionProgress {
      errors = errors == null ? List.of() : List.copyOf(errors);
    }

    /** Documents the workflow has finished with, one way or another. */
    long processed() {
      return done + skipped + failed;
    }

    boolean running() {
      return !isTerminal(status);
    }

    /**
     * Only the statuses Temporal never leaves count as final; anything else (including a status
     * this CLI does not know yet) means the workflow may still make progress.
     */
    static boolean isTerminal(String status) {
      return status != null
          && switch (status) {
            case "COMPLETED", "FAILED", "CANCELED", "CANCELLED", "TERMINATED", "TIMED_OUT" -> true;
            default -> false;
          };
    }
  }

  record IngestionError(String source, String reason) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record EvaluationRequest(
      String dataset,
      String split,
      String part,
      String collection,
      String model,
      String queriesBlob,
      String qrelsBlob,
      Integer limit,
      Integer answers) {}

  record EvaluationStarted(String workflowId, String runId) {}

  /** {@code GET /v1/evaluations/{id}}: metrics are null until there is something to report. */
  record EvaluationStatus(
      String workflowId,
      String status,
      String phase,
      String dataset,
      String split,
      String part,
      String collection,
      String modelVersion,
      int total,
      int done,
      Double ndcgAt10,
      Double mrrAt10,
      Double recallAt10,
      Double recallAt100,
      Double p50Ms,
      Double p95Ms,
      String failure,
      EvaluationAnswers answers) {

    boolean running() {
      return !IngestionProgress.isTerminal(status);
    }
  }

  /**
   * The advisory answer tier of an evaluation (null when no answers were asked for); the means are
   * null until the run completes, and when no answer was generated.
   */
  record EvaluationAnswers(
      String model,
      int sample,
      int done,
      int generated,
      int fallback,
      Double faithfulness,
      Double answerRelevancy,
      Double contextRecall,
      Double generationP50Ms) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record QueryRequest(String query, String collection, Integer topK, String sessionId) {}

  record QueryResponse(
      String answer,
      String answerMode,
      String warning,
      List<QuerySource> sources,
      String intent,
      String modelVersion,
      Map<String, Object> timings) {

    QueryResponse {
      sources = sources == null ? List.of() : List.copyOf(sources);
    }
  }

  record QuerySource(
      Long documentId, Long chunkId, String source, String title, String snippet, Double score) {}
}
