package io.engram.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.engram.contract.Blobs.MissingBlobs;
import io.engram.contract.Blobs.MissingBlobsRequest;
import io.engram.contract.Blobs.StoredBlob;
import io.engram.contract.Collections;
import io.engram.contract.Drift.DriftCheckRequest;
import io.engram.contract.Drift.DriftReport;
import io.engram.contract.Drift.DriftReports;
import io.engram.contract.Evaluations.EvaluationRequest;
import io.engram.contract.Evaluations.EvaluationStarted;
import io.engram.contract.Evaluations.EvaluationStatus;
import io.engram.contract.Health;
import io.engram.contract.Ingestions.IngestionRequest;
import io.engram.contract.Ingestions.IngestionStarted;
import io.engram.contract.Ingestions.IngestionStatus;
import io.engram.contract.Keys.CreateKey;
import io.engram.contract.Keys.KeyCreated;
import io.engram.contract.Keys.KeyList;
import io.engram.contract.Keys.KeyView;
import io.engram.contract.Memory.MemoryStats;
import io.engram.contract.Memory.PromotionCall;
import io.engram.contract.Memory.PromotionStarted;
import io.engram.contract.Models.AliasList;
import io.engram.contract.Models.AliasMove;
import io.engram.contract.Models.Archive;
import io.engram.contract.Models.VersionList;
import io.engram.contract.Models.VersionView;
import io.engram.contract.Problem;
import io.engram.contract.Queries.QueryRequest;
import io.engram.contract.Queries.QueryResponse;
import io.engram.contract.Retrainings.RetrainingRequest;
import io.engram.contract.Retrainings.RetrainingStarted;
import io.engram.contract.Retrainings.RetrainingStatus;
import io.engram.contract.Retrainings.StudyView;
import io.engram.contract.Rollouts;
import io.engram.contract.Rollouts.RolloutList;
import io.engram.contract.Rollouts.RolloutView;
import io.engram.contract.Schedules.ScheduleList;
import io.engram.contract.Sessions.CreateSession;
import io.engram.contract.Sessions.SessionCreated;
import io.engram.contract.Sessions.SessionTurns;
import io.engram.contract.Users;
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
import java.util.concurrent.CompletableFuture;

/**
 * The CLI's only way to reach Engram: JSON over HTTP against the public API, so the CLI runs on any
 * machine that can reach the API and never needs database or Temporal access. Requests and replies
 * are the records of the wire contract ({@code io.engram.contract}) the API itself binds and
 * returns; fields the API adds later are ignored, so an older CLI keeps working.
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
  private static final Duration FORGET_TIMEOUT = Duration.ofMinutes(10);

  private final String baseUrl;
  private final String apiKey;
  private final HttpClient http;

  /**
   * Creates a client for the API at {@code baseUrl}.
   *
   * @throws CliException if the URL is not an absolute http(s) URL, because every later request
   *     would fail with a much less helpful message
   */
  EngramClient(String baseUrl) {
    this(baseUrl, null);
  }

  /**
   * Creates a client for the API at {@code baseUrl} that sends {@code apiKey} with every request
   * ({@code Authorization: Bearer}); null sends none (the dev profile serves loopback calls without
   * a key).
   */
  EngramClient(String baseUrl, String apiKey) {
    this.baseUrl = validate(baseUrl);
    this.apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey.strip();
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
      missing.addAll(
          post("/v1/blobs/missing", new MissingBlobsRequest(batch), MissingBlobs.class)
              .value()
              .missing());
    }
    return missing;
  }

  /** Uploads one file as the blob named by its sha256, streaming it from disk. */
  StoredBlob putBlob(String sha256, Path file) {
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
    StoredBlob receipt = read(send(request), StoredBlob.class);
    if (receipt.sha256() != null && !receipt.sha256().equalsIgnoreCase(sha256)) {
      throw new CliException(
          file + " changed while it was being uploaded (expected sha256 " + sha256 + ")",
          CliException.FAILURE);
    }
    return receipt;
  }

  /** Starts an ingestion workflow, or attaches to the one already running for the same input. */
  IngestionStarted startIngestion(IngestionRequest body) {
    return post("/v1/ingestions", body, IngestionStarted.class).value();
  }

  /** Reads the progress record of an ingestion workflow. */
  Reply<IngestionStatus> ingestion(String workflowId) {
    return get("/v1/ingestions/" + pathSegment(workflowId), IngestionStatus.class);
  }

  /** Starts an evaluation workflow over uploaded queries and qrels. */
  EvaluationStarted startEvaluation(EvaluationRequest body) {
    return post("/v1/evaluations", body, EvaluationStarted.class).value();
  }

  /** Reads an evaluation's progress, or its stored result once it has ended. */
  Reply<EvaluationStatus> evaluation(String workflowId) {
    return get("/v1/evaluations/" + pathSegment(workflowId), EvaluationStatus.class);
  }

  /** Starts a retraining, or attaches to the one already running for the collection. */
  RetrainingStarted startRetraining(RetrainingRequest body) {
    return post("/v1/retrainings", body, RetrainingStarted.class).value();
  }

  /** Reads a retraining's progress, or its result once it has ended. */
  Reply<RetrainingStatus> retraining(String workflowId) {
    return get("/v1/retrainings/" + pathSegment(workflowId), RetrainingStatus.class);
  }

  /** Reads a hyperparameter study with its trials. */
  Reply<StudyView> study(long id) {
    return get("/v1/studies/" + id, StudyView.class);
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

  /**
   * Sends a question without waiting, for load generation: the future completes with the HTTP
   * status once the whole response has been read (the body is discarded), or exceptionally on a
   * transport failure or when no response came within {@code timeout}.
   */
  CompletableFuture<Integer> queryStatus(QueryRequest body, boolean allowCached, Duration timeout) {
    HttpRequest.Builder request = jsonRequest("/v1/query", body).timeout(timeout);
    if (!allowCached) {
      request.header("Cache-Control", "no-cache");
    }
    return http.sendAsync(request.build(), BodyHandlers.discarding())
        .thenApply(HttpResponse::statusCode);
  }

  /**
   * Opens a conversation session, of user {@code userId} (whose facts it recalls and adds to) or
   * anonymous when it is null; returns its id.
   */
  String createSession(String collection, String userId) {
    return post("/v1/sessions", new CreateSession(collection, userId), SessionCreated.class)
        .value()
        .sessionId();
  }

  /** The session's recent turns; a 404 when there is no open session of that id. */
  Reply<SessionTurns> sessionTurns(String sessionId) {
    return get("/v1/sessions/" + pathSegment(sessionId) + "/turns", SessionTurns.class);
  }

  /** Lists the Temporal Schedules of the API's namespace. */
  Reply<ScheduleList> schedules() {
    return get("/v1/schedules", ScheduleList.class);
  }

  /** Reads the memory stats, with lifecycle events of the last {@code days} days. */
  Reply<MemoryStats> memoryStats(int days) {
    return get("/v1/memory/stats?days=" + days, MemoryStats.class);
  }

  /** Starts a promotion (a dry run when asked) and returns the run id and, if done, its result. */
  Reply<PromotionStarted> promote(boolean dryRun) {
    return post(
        "/v1/memory/promotions",
        new PromotionCall(dryRun),
        PromotionStarted.class,
        Duration.ofMinutes(3));
  }

  /**
   * Forgets one user of the caller's tenant; the rows deleted and anonymized. Synchronous, and a
   * user with a long history takes a while: a longer timeout than other calls.
   */
  Reply<Users.MemoryForgotten> forgetUser(String userId) {
    JsonNode json =
        send(
            request("/v1/users/" + pathSegment(userId) + "/memory")
                .timeout(FORGET_TIMEOUT)
                .DELETE()
                .build());
    return new Reply<>(read(json, Users.MemoryForgotten.class), json);
  }

  /** Runs a drift check of a collection now; the API stores and returns its report. */
  Reply<DriftReport> driftCheck(DriftCheckRequest body) {
    return post("/v1/drift/checks", body, DriftReport.class, Duration.ofMinutes(2));
  }

  /** The stored drift reports, newest first; of one collection unless it is null. */
  Reply<DriftReports> driftReports(String collection, int limit) {
    return get("/v1/drift/reports" + newestFirst(collection, limit), DriftReports.class);
  }

  /** Lists a collection's registered model versions, newest first. */
  Reply<VersionList> models(String collection) {
    return get("/v1/models?collection=" + pathSegment(collection), VersionList.class);
  }

  /** Reads one registered model version. */
  Reply<VersionView> model(String collection, int version) {
    return get("/v1/models/" + pathSegment(collection) + "/versions/" + version, VersionView.class);
  }

  /** Reads where a collection's aliases point. */
  Reply<AliasList> aliases(String collection) {
    return get("/v1/models/" + pathSegment(collection) + "/aliases", AliasList.class);
  }

  /** Moves an alias of a collection to a version; returns the version. */
  Reply<VersionView> moveAlias(String collection, AliasMove move) {
    return post("/v1/models/" + pathSegment(collection) + "/aliases", move, VersionView.class);
  }

  /** Archives a version; returns it. */
  Reply<VersionView> archive(String collection, int version, Archive archive) {
    return post(
        "/v1/models/" + pathSegment(collection) + "/versions/" + version + ":archive",
        archive,
        VersionView.class);
  }

  /** Makes an API key; the reply holds its token, shown this once. */
  Reply<KeyCreated> createKey(CreateKey body) {
    return post("/v1/keys", body, KeyCreated.class);
  }

  /** Lists API keys, of one tenant unless it is null. */
  Reply<KeyList> keys(String tenant) {
    return get(
        "/v1/keys" + (tenant == null ? "" : "?tenant=" + pathSegment(tenant)), KeyList.class);
  }

  /** Revokes an API key. */
  Reply<KeyView> revokeKey(long id) {
    return post("/v1/keys/" + id + ":revoke", java.util.Map.of(), KeyView.class);
  }

  /** The caller's tenant's collections with their documents counted. */
  Reply<Collections.CollectionList> collections() {
    return get("/v1/collections", Collections.CollectionList.class);
  }

  /** A page of a collection's documents, of one status unless it is null. */
  Reply<Collections.DocumentPage> documents(
      String collection, String status, long after, int limit) {
    return get(
        "/v1/collections/"
            + pathSegment(collection)
            + "/documents?after="
            + after
            + "&limit="
            + limit
            + (status == null ? "" : "&status=" + pathSegment(status)),
        Collections.DocumentPage.class);
  }

  /** One document in detail. */
  Reply<Collections.DocumentDetail> document(String collection, long id) {
    return get(
        "/v1/collections/" + pathSegment(collection) + "/documents/" + id,
        Collections.DocumentDetail.class);
  }

  /** Removes a document from every index of its collection. */
  Reply<Collections.DocumentRemoved> removeDocument(String collection, long id) {
    JsonNode json =
        send(
            request("/v1/collections/" + pathSegment(collection) + "/documents/" + id)
                .timeout(SHORT_TIMEOUT)
                .DELETE()
                .build());
    return new Reply<>(read(json, Collections.DocumentRemoved.class), json);
  }

  /** One collection with its documents counted. */
  Reply<Collections.CollectionView> collection(String name) {
    return get("/v1/collections/" + pathSegment(name), Collections.CollectionView.class);
  }

  /** Starts the deletion of a whole collection (or attaches to the one running). */
  Reply<Collections.DeletionStarted> deleteCollection(String name) {
    JsonNode json =
        send(
            request("/v1/collections/" + pathSegment(name))
                .timeout(SHORT_TIMEOUT)
                .DELETE()
                .build());
    return new Reply<>(read(json, Collections.DeletionStarted.class), json);
  }

  /** Where a collection's deletion stands. */
  Reply<Collections.DeletionStatus> collectionDeletion(String name) {
    return get(
        "/v1/collections/" + pathSegment(name) + "/deletion", Collections.DeletionStatus.class);
  }

  /** Starts a rollout; the API answers once its workflow is started. */
  Reply<RolloutView> startRollout(Rollouts.StartRollout body) {
    return post("/v1/rollouts", body, RolloutView.class);
  }

  /** Rollouts newest first; of one collection unless it is null. */
  Reply<RolloutList> rollouts(String collection, int limit) {
    return get("/v1/rollouts" + newestFirst(collection, limit), RolloutList.class);
  }

  /** One rollout with its audit and latest figures. */
  Reply<RolloutView> rollout(String id) {
    return get("/v1/rollouts/" + pathSegment(id), RolloutView.class);
  }

  /**
   * Sends {@code action} ({@code approve}, {@code abort}, {@code pause}, {@code resume}, {@code
   * undo}).
   */
  Reply<RolloutView> rolloutAction(String id, String action, String reason) {
    return post(
        "/v1/rollouts/" + pathSegment(id) + ":" + action,
        new Rollouts.Action(reason),
        RolloutView.class);
  }

  /**
   * Reads the health report. A 503 carrying a health document is a report that something is down,
   * not a failed request, so it is returned rather than thrown.
   */
  Reply<Health> health() {
    HttpRequest request = request("/health").timeout(Duration.ofSeconds(15)).GET().build();
    HttpResponse<String> response = exchange(request);
    JsonNode json = null;
    if (response.statusCode() == 503) {
      JsonNode parsed = parseOrNull(response.body());
      if (parsed != null && parsed.has("status")) {
        json = parsed;
      }
    }
    if (json == null) {
      json = bodyOf(response);
    }
    return new Reply<>(read(json, Health.class), json);
  }

  private <T> Reply<T> get(String path, Class<T> type) {
    JsonNode json = send(request(path).timeout(SHORT_TIMEOUT).GET().build());
    return new Reply<>(read(json, type), json);
  }

  private <T> Reply<T> post(String path, Object body, Class<T> type) {
    return post(path, body, type, SHORT_TIMEOUT);
  }

  private <T> Reply<T> post(String path, Object body, Class<T> type, Duration timeout) {
    JsonNode json = send(jsonRequest(path, body).timeout(timeout).build());
    return new Reply<>(read(json, type), json);
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(baseUrl + path))
            .header("Accept", "application/json, application/problem+json")
            .header("User-Agent", "engram-cli");
    if (apiKey != null) {
      request.header("Authorization", "Bearer " + apiKey);
    }
    return request;
  }

  private HttpRequest.Builder jsonRequest(String path, Object body) {
    byte[] bytes;
    try {
      // Compact: a file list of thousands of entries must not grow by its indentation.
      bytes = JSON.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(body);
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
   * defensively. A 4xx is bad input (exit 2: the request as it stands is refused), except 429: the
   * rate limit says to come back later, as a 5xx does (exit 1), after its {@code Retry-After}.
   */
  private static CliException problem(HttpResponse<String> response) {
    int status = response.statusCode();
    JsonNode json = parseOrNull(response.body());
    Problem problem = json == null ? null : readOrNull(json, Problem.class);
    String title = problem == null ? null : blankToNull(problem.title());
    String detail = problem == null ? null : blankToNull(problem.detail());
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
    if (status == 401) {
      message += " (set ENGRAM_API_KEY to a key from ./engram keys create)";
    }
    Duration retryAfter = retryAfter(response);
    if (status == CliException.TOO_MANY_REQUESTS) {
      message +=
          retryAfter == null
              ? " (rate limited: try again later)"
              : " (rate limited: try again in " + retryAfter.toSeconds() + " s)";
    }
    int exitCode =
        status < 500 && status != CliException.TOO_MANY_REQUESTS
            ? CliException.USAGE
            : CliException.FAILURE;
    return new CliException(message, exitCode, status, retryAfter);
  }

  /**
   * The wait a response asks for in {@code Retry-After}, in delay-seconds, the form the API sends;
   * null when it has none or another form (an HTTP date), which callers treat as not said.
   */
  private static Duration retryAfter(HttpResponse<?> response) {
    String value = response.headers().firstValue("Retry-After").orElse("").strip();
    if (!value.matches("[0-9]{1,9}")) {
      return null;
    }
    return Duration.ofSeconds(Long.parseLong(value));
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

  /** A reply read as {@code type}, or null when it is not one (e.g. a proxy's error document). */
  private static <T> T readOrNull(JsonNode json, Class<T> type) {
    try {
      return JSON.treeToValue(json, type);
    } catch (JsonProcessingException e) {
      return null;
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
    return value == null || value.isNull() ? null : blankToNull(value.asText());
  }

  private static String blankToNull(String text) {
    return text == null || text.isBlank() ? null : text;
  }

  static String shorten(String text, int max) {
    String oneLine = text.replaceAll("\\s+", " ").strip();
    return oneLine.length() <= max ? oneLine : oneLine.substring(0, max - 1).stripTrailing() + "…";
  }

  /** The query of a newest-first list: {@code limit} items, of one collection unless it is null. */
  private static String newestFirst(String collection, int limit) {
    String query = "?limit=" + limit;
    return collection == null ? query : query + "&collection=" + pathSegment(collection);
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
}
