package io.engram.api.auth;

import io.engram.api.problems.ApiProblem;
import io.engram.api.problems.Problems;
import io.engram.api.problems.RequestIds;
import io.engram.contract.Problem;
import io.engram.core.config.AccessSettings;
import io.engram.core.config.EngramSettings;
import io.engram.core.tenant.ApiKeys;
import io.engram.core.tenant.Scope;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micronaut.context.annotation.Context;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.annotation.Order;
import io.micronaut.core.propagation.MutablePropagatedContext;
import io.micronaut.http.BasicHttpAttributes;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, before a controller runs, whether a request may be served and as whom: the {@link
 * Caller} of its API key ({@code Authorization: Bearer KEY}), or in the dev profile the loopback
 * caller for a request without a key from the loopback interface. Then the route's scope ({@link
 * ScopePolicy}), the key's rate limit and the body's size. Refusals are problem bodies: 401 (no,
 * unknown or revoked key, in every profile), 403 (scope), 429 (with {@code Retry-After}), 413.
 *
 * <p>A key is never logged, echoed or counted: refusals say what was wrong without repeating what
 * was sent, and metrics carry no key.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
@Order(100)
@Context
final class AccessFilter {
  private static final Logger log = LoggerFactory.getLogger(AccessFilter.class);
  private static final String BEARER = "Bearer ";
  private static final String CHALLENGE = "Bearer realm=\"engram\"";
  private static final long TOUCH_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

  /** Prometheus: {@code engram_rate_limit_checks_seconds_{bucket,count,sum}{scope, outcome}}. */
  static final String RATE_LIMIT_CHECKS = "engram.rate.limit.checks";

  /**
   * Prometheus: {@code engram_access_refusals_total{status}}. Micronaut's {@code
   * http_server_requests} does not see a response a filter gives before the route runs
   * (micronaut-micrometer issue 970), so the refusals here (401, 403, 411, 413, 429) are counted by
   * this filter; every other status is in {@code http_server_requests}.
   */
  static final String REFUSALS = "engram.access.refusals";

  private static final List<Integer> REFUSAL_STATUSES = List.of(401, 403, 411, 413, 429);

  private final AccessSettings settings;
  private final long maxUploadBytes;
  private final ApiKeys keys;
  private final RateLimits limits;
  private final Map<Long, Long> touched = new ConcurrentHashMap<>();
  private final Timer allowed;
  private final Timer refused;
  private final Timer failed;
  private final Map<Integer, Counter> refusals = new ConcurrentHashMap<>();
  private final MeterRegistry metrics;

  AccessFilter(EngramSettings settings, ApiKeys keys, RateLimits limits, MeterRegistry metrics) {
    this.settings = settings.access();
    this.maxUploadBytes = settings.api().maxUploadBytes();
    this.keys = keys;
    this.limits = limits;
    // Registered at start, so the dashboard's series exist before the first keyed request.
    this.allowed = checks(metrics, "allowed");
    this.refused = checks(metrics, "refused");
    this.failed = checks(metrics, "failed");
    this.metrics = metrics;
    REFUSAL_STATUSES.forEach(this::refusals);
    if (this.settings.loopbackAnonymous()) {
      log.warn(
          "API keys: requests WITHOUT a key from the loopback interface are served as tenant"
              + " 'default' with every scope and no rate limit (ENGRAM_AUTH_LOOPBACK=true, profile"
              + " {}); any other request needs a key",
          settings.profile().value());
    } else {
      log.info(
          "API keys: every request but health{} and the OpenAPI document needs a key"
              + " (profile {})",
          this.settings.metrics().keyed() ? "" : ", metrics",
          settings.profile().value());
    }
    log.info(
        "rate limit per API key: {}",
        this.settings.rateLimited()
            ? this.settings.ratePerSecond()
                + "/s, bursts of "
                + this.settings.rateBurst()
                + (this.settings.rateScope() == AccessSettings.RateLimitScope.CLUSTER
                    ? " (shared by every replica, in PostgreSQL)"
                    : " (per replica)")
            : "none");
  }

  @RequestFilter
  @ExecuteOn(TaskExecutors.BLOCKING)
  @Nullable
  HttpResponse<?> admit(HttpRequest<?> request, MutablePropagatedContext context) {
    String template = BasicHttpAttributes.getUriTemplate(request).orElse(null);
    if (settings.metrics().keyed() && isMetrics(request, template)) {
      return admitScraper(request);
    }
    if (isPublic(request, template)) {
      return null;
    }
    Caller caller;
    try {
      caller = authenticate(request);
      if (template != null) {
        Scope needed = ScopePolicy.required(request.getMethod(), template);
        if (!caller.has(needed)) {
          throw Problems.insufficientScope(
              "this endpoint needs an API key with scope '"
                  + needed.wireName()
                  + "'; this key has "
                  + caller.scopes().stream().map(Scope::wireName).sorted().toList());
        }
        if (ScopePolicy.operatorOnly(request.getMethod(), template) && !caller.operator()) {
          throw Problems.insufficientScope(
              "this endpoint spans every tenant: it needs an admin key of tenant 'default', the"
                  + " installation's operator");
        }
      }
      limitSize(request, template);
    } catch (ApiProblem refused) {
      return refusal(request, refused, Map.of());
    }
    if (caller.keyId() != null) {
      RateLimits.Verdict verdict = checkLimit(caller.keyId());
      if (!verdict.allowed()) {
        return refusal(
            request,
            Problems.rateLimited(
                "over this key's rate limit of "
                    + settings.ratePerSecond()
                    + " requests per second; retry in "
                    + verdict.retryAfterSeconds()
                    + " s"),
            Map.of(HttpHeaders.RETRY_AFTER, Long.toString(verdict.retryAfterSeconds())));
      }
      touch(caller.keyId());
    }
    request.setAttribute(Caller.ATTRIBUTE, caller);
    // Every line logged for the request names its tenant (never its key).
    RequestIds.logWith(context, RequestIds.TENANT_MDC_KEY, caller.tenant().id());
    return null;
  }

  /**
   * The timer of rate-limit checks with {@code outcome}: {@code allowed}, {@code refused} (429) or
   * {@code failed} (the check threw: with {@code cluster} scope, the database did not answer).
   * Tagged with the scope, so an operator sees what the shared buckets cost each request.
   */
  private Timer checks(MeterRegistry metrics, String outcome) {
    return Timer.builder(RATE_LIMIT_CHECKS)
        .description("API-key rate-limit checks, by scope and outcome")
        .tag("scope", settings.rateScope().name().toLowerCase(Locale.ROOT))
        .tag("outcome", outcome)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofNanos(100_000))
        .maximumExpectedValue(Duration.ofSeconds(1))
        .register(metrics);
  }

  /** Takes a token from the key's bucket, timed by outcome. */
  private RateLimits.Verdict checkLimit(long keyId) {
    long start = System.nanoTime();
    Timer outcome = failed;
    try {
      RateLimits.Verdict verdict = limits.consume(keyId);
      outcome = verdict.allowed() ? allowed : refused;
      return verdict;
    } finally {
      outcome.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
  }

  private Caller authenticate(HttpRequest<?> request) {
    String authorization = request.getHeaders().get(HttpHeaders.AUTHORIZATION);
    if (authorization == null) {
      if (settings.loopbackAnonymous() && fromLoopback(request)) {
        return Caller.loopback();
      }
      throw Problems.unauthorized(
          "send an API key as 'Authorization: Bearer KEY' (README, Keys and tenants)");
    }
    if (!authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      throw Problems.unauthorized("the Authorization header must be 'Bearer KEY'");
    }
    String token = authorization.substring(BEARER.length()).strip();
    return keys.authenticate(token)
        .map(k -> new Caller(k.tenant(), k.scopes(), k.id()))
        .orElseThrow(() -> Problems.unauthorized("the API key is unknown or revoked"));
  }

  /**
   * A declared body over the route's limit is refused before it is read: blob uploads and the file
   * list of an ingestion may be as large as {@code ENGRAM_MAX_UPLOAD_BYTES}, every other body as
   * {@code ENGRAM_MAX_REQUEST_BYTES}. A body of no declared length (chunked) is taken by blob
   * uploads only: the server's own limit is the upload limit, so anywhere else such a body could
   * fill the heap up to it before binding.
   */
  private void limitSize(HttpRequest<?> request, String template) {
    long length = request.getContentLength();
    boolean upload = request.getMethod() == HttpMethod.PUT && "/v1/blobs/{sha256}".equals(template);
    // An ingestion of uploaded files lists them all (up to a million): it may be as large as an
    // upload.
    boolean fileList = request.getMethod() == HttpMethod.POST && "/v1/ingestions".equals(template);
    long limit = upload || fileList ? maxUploadBytes : settings.maxRequestBytes();
    if (length < 0 && !upload && request.getHeaders().contains(HttpHeaders.TRANSFER_ENCODING)) {
      throw Problems.lengthRequired(
          "send the body with a Content-Length header (at most "
              + limit
              + (fileList
                  ? " bytes, ENGRAM_MAX_UPLOAD_BYTES), not chunked"
                  : " bytes, ENGRAM_MAX_REQUEST_BYTES), not chunked"));
    }
    if (length > limit) {
      throw Problems.tooLarge(
          "the body has "
              + length
              + " bytes; this endpoint takes at most "
              + limit
              + (upload || fileList
                  ? " (ENGRAM_MAX_UPLOAD_BYTES)"
                  : " (ENGRAM_MAX_REQUEST_BYTES)"));
    }
  }

  /**
   * With {@code ENGRAM_METRICS_ACCESS=key}, the metrics (whose series name every tenant's
   * collections) are read with the scraper's token or an operator's admin key, nothing else.
   */
  private HttpResponse<?> admitScraper(HttpRequest<?> request) {
    String authorization = request.getHeaders().get(HttpHeaders.AUTHORIZATION);
    if (authorization != null
        && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())
        && settings.metrics().isToken(authorization.substring(BEARER.length()).strip())) {
      return null;
    }
    try {
      if (!authenticate(request).operator()) {
        throw Problems.insufficientScope(
            "the metrics name every tenant's collections: they are read with the scraper's"
                + " token (ENGRAM_METRICS_TOKEN) or an admin key of tenant 'default'");
      }
    } catch (ApiProblem refused) {
      return refusal(request, refused, Map.of());
    }
    return null;
  }

  private static boolean isMetrics(HttpRequest<?> request, String template) {
    return "/prometheus".equals(template != null ? template : request.getPath());
  }

  /** The peer of the connection itself: a forwarded-for header can say anything. */
  private static boolean fromLoopback(HttpRequest<?> request) {
    InetSocketAddress peer = request.getRemoteAddress();
    return peer != null && peer.getAddress() != null && peer.getAddress().isLoopbackAddress();
  }

  private static boolean isPublic(HttpRequest<?> request, String template) {
    if (template != null) {
      return ScopePolicy.isPublic(template);
    }
    String path = request.getPath();
    return path.equals("/health") || path.startsWith("/health/") || path.equals("/prometheus");
  }

  /** Notes the key's use, at most once a minute per key and replica. */
  private void touch(long keyId) {
    long now = System.nanoTime();
    Long last = touched.get(keyId);
    if (last == null || now - last > TOUCH_EVERY_NANOS) {
      touched.put(keyId, now);
      keys.touch(keyId, Instant.now());
    }
  }

  /** Forgets what this replica holds for a revoked key. */
  void revoked(long keyId) {
    limits.forget(keyId);
    touched.remove(keyId);
  }

  private Counter refusals(int status) {
    return refusals.computeIfAbsent(
        status,
        code ->
            Counter.builder(REFUSALS)
                .description("Requests the API's access filter refused, by status")
                .tag("status", Integer.toString(code))
                .register(metrics));
  }

  private MutableHttpResponse<Problem> refusal(
      HttpRequest<?> request, ApiProblem refused, Map<String, String> headers) {
    Problem problem = refused.problem();
    refusals(problem.status()).increment();
    MutableHttpResponse<Problem> response =
        HttpResponse.<Problem>status(HttpStatus.valueOf(problem.status()))
            .contentType(Problem.MEDIA_TYPE)
            .header(RequestIds.HEADER, RequestIds.of(request))
            .body(problem);
    if (problem.status() == 401) {
      response.header(HttpHeaders.WWW_AUTHENTICATE, CHALLENGE);
    }
    headers.forEach(response::header);
    log.debug(
        "request {} ({} {}) refused: {}",
        RequestIds.of(request),
        request.getMethod(),
        RequestIds.route(request),
        problem.detail());
    return response;
  }
}
