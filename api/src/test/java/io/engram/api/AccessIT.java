package io.engram.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.engram.api.auth.MovableClock;
import io.engram.core.Hashing;
import io.engram.core.tenant.ApiKeys;
import io.engram.core.tenant.Scope;
import io.engram.core.tenant.Tenant;
import io.engram.testing.EngramServices;
import io.engram.testing.EngramServicesExtension;
import io.github.bucket4j.TimeMeter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.annotation.MockBean;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * API keys on a real API in the {@code prod} profile: no request without a key is served (401 on
 * every endpoint but health, metrics and the OpenAPI document, loopback included); an unknown,
 * malformed or revoked key is 401; scopes are 403; a key over its token bucket is 429 with {@code
 * Retry-After} (on a clock the test moves); bodies over their limits are 413; the database holds
 * only a key's hash; and no key appears in a log line, an error body or the metrics.
 */
@EngramServices
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class AccessIT extends ApiTestSupport implements TestPropertyProvider {
  private static final int MAX_REQUEST_BYTES = 8 * 1024;
  private static final int MAX_UPLOAD_BYTES = 16 * 1024;

  /** The scraper's bearer token for /prometheus (prod keys the metrics). */
  private static final String SCRAPER_TOKEN = "scraper-token-0123456789";

  /** Every line logged while the API runs, Engram's own down to DEBUG, libraries' from INFO. */
  private static final ListAppender<ILoggingEvent> LOGS = new ListAppender<>();

  private static final Logger ROOT = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
  private static final Logger ENGRAM = (Logger) LoggerFactory.getLogger("io.engram");
  private static final Level ROOT_LEVEL = ROOT.getLevel();
  private static final Level ENGRAM_LEVEL = ENGRAM.getLevel();

  static {
    LOGS.start();
    ROOT.addAppender(LOGS);
    ROOT.setLevel(Level.INFO);
    ENGRAM.setLevel(Level.DEBUG);
  }

  /**
   * The time the rate-limit buckets refill by, moved by the test alone. In prod they are shared by
   * every replica in PostgreSQL (ENGRAM_RATE_LIMIT_SCOPE=cluster); RateLimitsIT has two replicas.
   */
  private final MovableClock clock = new MovableClock(1_000_000_000L, true);

  @Inject EmbeddedServer server;
  @Inject ApiKeys keys;
  @Inject MeterRegistry metrics;

  private String dbUrl;

  /** Every token this test made, for the check that none was logged. */
  private final List<String> tokens = new ArrayList<>();

  @Override
  public Map<String, String> getProperties() {
    dbUrl = EngramServicesExtension.postgres().createDatabase("access_it");
    return serviceProperties(
        dbUrl,
        Map.of(
            "engram.profile", "prod",
            // The schema moves in its own step in prod; a test database starts empty.
            "engram.migrate.on.start", "true",
            "engram.rate.limit.per.second", "1",
            "engram.rate.limit.burst", "2",
            "engram.max.request.bytes", Integer.toString(MAX_REQUEST_BYTES),
            "engram.max.upload.bytes", Integer.toString(MAX_UPLOAD_BYTES),
            "engram.metrics.token", SCRAPER_TOKEN));
  }

  @MockBean(TimeMeter.class)
  TimeMeter rateLimitClock() {
    return clock;
  }

  @Override
  protected URI baseUri() {
    return URI.create(server.getURL().toString());
  }

  @AfterAll
  void restoreLogging() {
    ROOT.detachAppender(LOGS);
    ROOT.setLevel(ROOT_LEVEL);
    ENGRAM.setLevel(ENGRAM_LEVEL);
  }

  private String key(String tenant, Scope... scopes) {
    String token =
        keys.create(
                new Tenant(tenant),
                "access-it",
                scopes.length == 0 ? EnumSet.noneOf(Scope.class) : EnumSet.of(scopes[0], scopes),
                "database")
            .token();
    tokens.add(token);
    return token;
  }

  @Test
  void prod_serves_no_request_without_a_key_not_even_from_loopback() throws Exception {
    JsonNode document = new YAMLMapper().readTree(call(null, "GET", "/openapi.yml", null).body());
    List<String[]> routes = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields();
        paths.hasNext(); ) {
      Map.Entry<String, JsonNode> path = paths.next();
      path.getValue()
          .fieldNames()
          .forEachRemaining(
              m -> routes.add(new String[] {m.toUpperCase(Locale.ROOT), path.getKey()}));
    }
    assertThat(routes).hasSizeGreaterThan(20);
    for (String[] route : routes) {
      String path =
          route[1]
              .replace("{collection}", "notes")
              .replace("{version}", "1")
              .replace("{sha256}", "0".repeat(64))
              .replace("{id}", "1")
              .replace("{sessionId}", "00000000-0000-0000-0000-000000000000")
              .replace("{userId}", "ann")
              .replace("{workflowId}", "ingest-notes-1");
      Object body = route[0].equals("PUT") && path.startsWith("/v1/blobs/") ? new byte[] {1} : null;
      HttpResponse<String> response =
          exchange(
              null, route[0], path, route[0].equals("GET") ? null : body == null ? "{}" : body);
      assertThat(response.statusCode())
          .as(route[0] + " " + path + ": " + response.body())
          .isEqualTo(401);
      assertThat(response.headers().firstValue("WWW-Authenticate"))
          .hasValue("Bearer realm=\"engram\"");
      assertThat(response.headers().firstValue("Content-Type").orElse(""))
          .startsWith("application/problem+json");
    }
    // Probes and clients still reach what carries no tenant's data.
    assertThat(call(null, "GET", "/health", null).status()).isEqualTo(200);
    assertThat(call(null, "GET", "/openapi.yml", null).status()).isEqualTo(200);
  }

  @Test
  void prod_answers_health_with_its_status_and_no_details() throws Exception {
    // The details name the disk, Temporal's address, pgvector's version and passage counts; the
    // probes need only the status and its HTTP code (ApiIT sees the details in the test profile).
    for (String path : List.of("/health", "/health/liveness")) {
      Reply health = call(null, "GET", path, null);
      assertThat(health.status()).as(path).isEqualTo(200);
      assertThat(health.json().path("status").asText()).as(path).isEqualTo("UP");
      assertThat(health.json().has("details")).as(health.body()).isFalse();
    }
  }

  @Test
  void prod_serves_the_metrics_to_the_scraper_token_and_the_operator_only() throws Exception {
    // The series name every tenant's collections (engram_rollout_phase{collection="acme~notes"}).
    assertProblem(call(null, "GET", "/prometheus", null), 401);
    assertProblem(call("not-the-scraper-token-at-all", "GET", "/prometheus", null), 401);
    Reply tenantAdmin = call(key("acme", Scope.ADMIN), "GET", "/prometheus", null);
    assertProblem(tenantAdmin, 403);
    assertThat(tenantAdmin.json().path("detail").asText()).contains("ENGRAM_METRICS_TOKEN");

    Reply scraped = call(SCRAPER_TOKEN, "GET", "/prometheus", null);
    assertThat(scraped.status()).isEqualTo(200);
    assertThat(scraped.body()).contains("engram_rate_limit_checks_seconds");
    assertThat(call(key("default", Scope.ADMIN), "GET", "/prometheus", null).status())
        .isEqualTo(200);
  }

  @Test
  void refusals_of_the_access_filter_are_counted_by_status_and_route() throws Exception {
    assertProblem(call("engram_" + "Y".repeat(40), "GET", "/v1/drift/reports", null), 401);
    assertProblem(call(key("acme", Scope.QUERY), "GET", "/v1/schedules", null), 403);

    String metrics = call(SCRAPER_TOKEN, "GET", "/prometheus", null).body();

    assertThat(refused(metrics, 401)).isPositive();
    assertThat(refused(metrics, 403)).isPositive();
    // The other refusals' series exist before the first one, for the dashboard and alerts.
    assertThat(refused(metrics, 411)).isNotNegative();
    assertThat(refused(metrics, 429)).isNotNegative();
  }

  /** {@code engram_access_refusals_total{status}} as scraped; -1 when the series is missing. */
  private static double refused(String metrics, int status) {
    return metrics
        .lines()
        .filter(l -> l.startsWith("engram_access_refusals_total{"))
        .filter(l -> l.contains("status=\"" + status + "\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .findFirst()
        .orElse(-1);
  }

  @Test
  void an_unknown_malformed_or_revoked_key_is_401() throws Exception {
    String good = key("acme", Scope.QUERY);
    assertThat(call(good, "GET", "/v1/drift/reports", null).status()).isEqualTo(200);
    long id = keys.authenticate(good).orElseThrow().id();
    keys.revoke(id);

    String unknown = "engram_" + "Z".repeat(40);
    for (String presented : List.of(good, unknown, "engram_short", "")) {
      Reply reply = call(presented, "GET", "/v1/drift/reports", null);
      assertProblem(reply, 401);
      if (!presented.isEmpty()) {
        assertThat(reply.body()).doesNotContain(presented);
      }
    }
    Reply basic =
        send(
            java.net.http.HttpRequest.newBuilder(baseUri().resolve("/v1/drift/reports"))
                .header("Authorization", "Basic dXNlcjpwYXNz")
                .GET()
                .build());
    assertProblem(basic, 401);
  }

  @Test
  void scopes_are_enforced_with_403() throws Exception {
    String query = key("acme", Scope.QUERY);
    String ingest = key("acme", Scope.INGEST);
    String admin = key("acme", Scope.ADMIN);

    assertThat(call(query, "GET", "/v1/drift/reports", null).status()).isEqualTo(200);
    Reply noIngest =
        call(query, "POST", "/v1/blobs/missing", Map.of("hashes", List.of("0".repeat(64))));
    assertProblem(noIngest, 403);
    assertThat(noIngest.json().path("detail").asText()).contains("scope 'ingest'");
    assertProblem(call(query, "GET", "/v1/keys", null), 403);
    assertProblem(
        call(
            query,
            "POST",
            "/v1/models/notes/aliases",
            Map.of("alias", "champion", "version", 1, "reason", "r")),
        403);

    assertThat(
            call(ingest, "POST", "/v1/blobs/missing", Map.of("hashes", List.of("0".repeat(64))))
                .status())
        .isEqualTo(200);
    assertProblem(call(ingest, "POST", "/v1/query", Map.of("query", "hello")), 403);
    assertProblem(call(ingest, "POST", "/v1/sessions", Map.of()), 403);

    assertThat(call(admin, "GET", "/v1/keys", null).status()).isEqualTo(200);
    assertProblem(call(admin, "POST", "/v1/query", Map.of("query", "hello")), 403);
    // An admin key of a tenant is not the installation's operator.
    assertProblem(call(admin, "GET", "/v1/schedules", null), 403);
    String operator = key("default", Scope.ADMIN);
    assertThat(call(operator, "GET", "/v1/schedules", null).status()).isEqualTo(200);
    // Micronaut's management endpoints describe or change the whole installation: not served.
    // (A fresh key for each few calls: the test profile's bucket holds a handful.)
    assertThat(call(admin, "GET", "/threaddump", null).status()).isEqualTo(404);
    for (String path :
        List.of("/beans", "/routes", "/threaddump", "/loggers", "/info", "/metrics", "/env")) {
      assertThat(call(key("default", Scope.ADMIN), "GET", path, null).status())
          .as(path)
          .isEqualTo(404);
    }
    assertThat(call(operator, "POST", "/refresh", Map.of()).status()).isEqualTo(404);
  }

  @Test
  void a_key_over_its_token_bucket_gets_429_with_retry_after_until_tokens_refill()
      throws Exception {
    String limited = key("acme", Scope.QUERY);
    String other = key("acme", Scope.QUERY);
    long allowedBefore = checks("allowed");
    long refusedBefore = checks("refused");

    // A burst of two, then one a second.
    assertThat(call(limited, "GET", "/v1/drift/reports", null).status()).isEqualTo(200);
    assertThat(call(limited, "GET", "/v1/drift/reports", null).status()).isEqualTo(200);
    HttpResponse<String> refused = exchange(limited, "GET", "/v1/drift/reports", null);
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
    assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(refused.headers().firstValue("Content-Type").orElse(""))
        .startsWith("application/problem+json");
    assertThat(JSON.readTree(refused.body()).path("detail").asText()).contains("rate limit");
    // Each key has its own bucket.
    assertThat(call(other, "GET", "/v1/drift/reports", null).status()).isEqualTo(200);

    clock.advance(Duration.ofMillis(500));
    assertThat(exchange(limited, "GET", "/v1/drift/reports", null).statusCode()).isEqualTo(429);
    clock.advance(Duration.ofMillis(500));
    assertThat(call(limited, "GET", "/v1/drift/reports", null).status()).isEqualTo(200);
    assertThat(exchange(limited, "GET", "/v1/drift/reports", null).statusCode()).isEqualTo(429);

    // Every check is timed by outcome, under prod's scope.
    assertThat(checks("allowed") - allowedBefore).isEqualTo(4);
    assertThat(checks("refused") - refusedBefore).isEqualTo(3);
  }

  /**
   * Ends the sessions that wait on a lock of {@code rate_limit_buckets}, as a restarting server
   * does (57P01, admin_shutdown).
   *
   * @return how many were ended
   */
  private static int endLockWaiters(Statement admin) throws SQLException {
    try (ResultSet rs =
        admin.executeQuery(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                + " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                + " AND wait_event_type = 'Lock' AND query LIKE '%rate_limit_buckets%'")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  /** How many rate-limit checks with {@code outcome} the API has timed (scope {@code cluster}). */
  private long checks(String outcome) {
    return metrics
        .get("engram.rate.limit.checks")
        .tags("scope", "cluster", "outcome", outcome)
        .timer()
        .count();
  }

  @Test
  void prod_keeps_a_keys_bucket_in_the_database_and_a_revoke_removes_it() throws Exception {
    String operator = key("default", Scope.ADMIN);
    Reply created =
        call(operator, "POST", "/v1/keys", Map.of("tenant", "acme", "scopes", List.of("query")));
    String token = created.json().path("key").asText();
    tokens.add(token);
    long id = created.json().path("apiKey").path("id").asLong();
    assertThat(call(token, "GET", "/v1/drift/reports", null).status()).isEqualTo(200);
    assertThat(storedBuckets(id)).isEqualTo(1);

    assertThat(call(operator, "POST", "/v1/keys/" + id + ":revoke", null).status()).isEqualTo(200);
    assertThat(storedBuckets(id)).isZero();
  }

  @Test
  void a_database_failure_while_the_limit_is_checked_is_503_to_retry_not_a_500() throws Exception {
    String token = key("acme", Scope.QUERY);
    long id = keys.authenticate(token).orElseThrow().id();
    assertThat(call(token, "GET", "/v1/drift/reports", null).status()).isEqualTo(200);
    long failedBefore = checks("failed");

    var postgres = EngramServicesExtension.postgres();
    try (Connection holder =
            DriverManager.getConnection(dbUrl, postgres.user(), postgres.password());
        Connection admin =
            DriverManager.getConnection(dbUrl, postgres.user(), postgres.password());
        Statement lock = holder.createStatement();
        Statement kill = admin.createStatement()) {
      // Hold the key's bucket, so the API's check waits on it; then end the waiting session the way
      // a restarting server does (57P01, admin_shutdown).
      holder.setAutoCommit(false);
      lock.execute("SELECT state FROM rate_limit_buckets WHERE id = " + id + " FOR UPDATE");
      CompletableFuture<HttpResponse<String>> waiting =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return exchange(token, "GET", "/v1/drift/reports", null);
                } catch (Exception e) {
                  throw new CompletionException(e);
                }
              });
      AtomicInteger ended = new AtomicInteger();
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> waiting.isDone() || ended.addAndGet(endLockWaiters(kill)) > 0);
      assertThat(ended).as("the API's check waited on the held bucket").hasValue(1);
      HttpResponse<String> failed = waiting.get(60, TimeUnit.SECONDS);
      holder.rollback();

      assertThat(failed.statusCode()).as(failed.body()).isEqualTo(503);
      assertThat(failed.headers().firstValue("Retry-After")).isPresent();
      assertThat(failed.headers().firstValue("Content-Type").orElse(""))
          .startsWith("application/problem+json");
      assertThat(JSON.readTree(failed.body()).path("detail").asText())
          .contains("database is unavailable");
      assertThat(failed.body())
          .doesNotContain("rate_limit_buckets")
          .doesNotContain("terminating")
          .doesNotContain("SQL");
      assertThat(checks("failed") - failedBefore).isEqualTo(1);
    }
    // The pool replaces the ended connection: the next request is checked and served.
    assertThat(call(token, "GET", "/v1/drift/reports", null).status()).isEqualTo(200);
  }

  private int storedBuckets(long keyId) throws Exception {
    var postgres = EngramServicesExtension.postgres();
    try (Connection c = DriverManager.getConnection(dbUrl, postgres.user(), postgres.password());
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT count(*) FROM rate_limit_buckets WHERE id = " + keyId)) {
      rs.next();
      return rs.getInt(1);
    }
  }

  @Test
  void bodies_over_their_limits_are_413_and_a_query_over_its_length_is_400() throws Exception {
    String key = key("acme", Scope.QUERY, Scope.INGEST);

    Reply body = call(key, "POST", "/v1/query", Map.of("query", "x".repeat(MAX_REQUEST_BYTES)));
    assertProblem(body, 413);
    assertThat(body.json().path("detail").asText()).contains("ENGRAM_MAX_REQUEST_BYTES");

    byte[] upload = new byte[MAX_UPLOAD_BYTES + 1];
    Reply big = call(key, "PUT", "/v1/blobs/" + Hashing.sha256(upload), upload);
    assertProblem(big, 413);
    assertThat(big.json().path("detail").asText()).contains("ENGRAM_MAX_UPLOAD_BYTES");
    // An upload between the two limits is taken: uploads have their own.
    byte[] fits = new byte[MAX_REQUEST_BYTES + 1];
    assertThat(call(key, "PUT", "/v1/blobs/" + Hashing.sha256(fits), fits).status()).isEqualTo(201);

    Reply tooLong = call(key, "POST", "/v1/query", Map.of("query", "y".repeat(5000)));
    assertProblem(tooLong, 400);
    assertThat(tooLong.json().path("errors").get(0).path("pointer").asText()).isEqualTo("/query");

    // An ingestion's file list may be as large as an upload: thousands of files are one request.
    String ingest = key("acme", Scope.INGEST);
    Reply listed = call(ingest, "POST", "/v1/ingestions", fileList(MAX_REQUEST_BYTES + 1024));
    assertThat(listed.status()).as(listed.body()).isNotEqualTo(413).isBetween(400, 499);
    Reply overUpload = call(ingest, "POST", "/v1/ingestions", fileList(MAX_UPLOAD_BYTES + 1024));
    assertProblem(overUpload, 413);
    assertThat(overUpload.json().path("detail").asText()).contains("ENGRAM_MAX_UPLOAD_BYTES");
  }

  /** An ingestion request listing files of unknown blobs, at least {@code bytes} long. */
  private static Map<String, Object> fileList(int bytes) {
    List<Map<String, Object>> files = new ArrayList<>();
    for (int i = 0; files.size() * 100 < bytes; i++) {
      files.add(Map.of("path", "docs/file-" + i + ".md", "sha256", "a".repeat(64), "size", 1));
    }
    return Map.of("collection", "notes", "origin", "/home/a/docs", "files", files);
  }

  @Test
  void the_database_holds_only_a_keys_hash() throws Exception {
    String operator = key("default", Scope.ADMIN);
    Reply created =
        call(
            operator,
            "POST",
            "/v1/keys",
            Map.of("tenant", "acme", "name", "frontend", "scopes", List.of("query", "ingest")));
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    String token = created.json().path("key").asText();
    tokens.add(token);
    assertThat(token).startsWith("engram_").hasSize(47);
    long id = created.json().path("apiKey").path("id").asLong();
    assertThat(created.json().path("apiKey").path("scopes"))
        .extracting(JsonNode::asText)
        .containsExactlyInAnyOrder("ingest", "query");

    var postgres = EngramServicesExtension.postgres();
    try (Connection c = DriverManager.getConnection(dbUrl, postgres.user(), postgres.password());
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT row_to_json(k)::text, token_sha256 FROM api_keys k WHERE id = " + id)) {
      assertThat(rs.next()).isTrue();
      String row = rs.getString(1);
      assertThat(row).doesNotContain(token).doesNotContain(token.substring(11));
      assertThat(rs.getString(2)).isEqualTo(Hashing.sha256(token));
    }
    // Listed, never with its token.
    String listed = call(operator, "GET", "/v1/keys?tenant=acme", null).body();
    assertThat(listed).contains("\"id\":" + id).doesNotContain(token);
    assertThat(call(token, "GET", "/v1/drift/reports", null).status()).isEqualTo(200);
  }

  @Test
  void no_key_appears_in_a_log_line_or_the_metrics() throws Exception {
    String good = key("acme", Scope.QUERY);
    String operator = key("default", Scope.ADMIN);
    call(good, "GET", "/v1/drift/reports", null);
    call(good, "POST", "/v1/keys", Map.of("scopes", List.of("query")));
    Reply created =
        call(operator, "POST", "/v1/keys", Map.of("tenant", "acme", "scopes", List.of("query")));
    tokens.add(created.json().path("key").asText());
    call(
        operator,
        "POST",
        "/v1/keys/" + created.json().path("apiKey").path("id").asLong() + ":revoke",
        null);
    call(created.json().path("key").asText(), "GET", "/v1/drift/reports", null);
    String unknown = "engram_" + "Q".repeat(40);
    tokens.add(unknown);
    call(unknown, "GET", "/v1/drift/reports", null);
    call(good, "POST", "/v1/query", "{not json");

    assertThat(LOGS.list).as("the API logged while it ran").isNotEmpty();
    List<String> lines = new ArrayList<>();
    for (ILoggingEvent e : List.copyOf(LOGS.list)) {
      lines.add(e.getFormattedMessage());
      if (e.getThrowableProxy() != null) {
        lines.add(ThrowableProxyUtil.asString(e.getThrowableProxy()));
      }
      lines.add(String.valueOf(e.getMDCPropertyMap()));
    }
    String metrics = call(SCRAPER_TOKEN, "GET", "/prometheus", null).body();
    for (String token : Set.copyOf(tokens)) {
      String secret = token.substring(11); // past the prefix and the hint's four characters
      assertThat(lines).noneSatisfy(line -> assertThat(line).contains(secret));
      assertThat(metrics).doesNotContain(secret);
    }
    assertThat(lines).noneSatisfy(line -> assertThat(line).contains(SCRAPER_TOKEN));
    assertThat(lines)
        .anySatisfy(
            line ->
                assertThat(line)
                    .contains("every request but health and the OpenAPI document needs a key")
                    .contains("profile prod"));
  }
}
