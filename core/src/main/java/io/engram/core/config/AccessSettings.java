package io.engram.core.config;

import io.engram.core.Hashing;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * Who may call the API and how much: API keys, the dev profile's unauthenticated loopback calls,
 * per-key rate limits and the size of request bodies.
 *
 * @param loopbackAnonymous requests without a key from the loopback interface are served as the
 *     default tenant with every scope and no rate limit (never in prod)
 * @param ratePerSecond requests per second a key's bucket refills with; 0: no rate limit
 * @param rateBurst requests a key may make at once (the bucket's size)
 * @param rateScope where a key's bucket lives, and so what the limit is per
 * @param maxRequestBytes largest body of a request other than a blob upload (JSON bodies)
 * @param metrics who may read the API's metrics
 */
public record AccessSettings(
    boolean loopbackAnonymous,
    int ratePerSecond,
    int rateBurst,
    RateLimitScope rateScope,
    long maxRequestBytes,
    Metrics metrics) {

  /**
   * Who may read the API's {@code /prometheus} ({@code ENGRAM_METRICS_ACCESS}): its series name
   * every tenant's collections and model versions.
   *
   * @param keyed false: anyone who reaches the port; true: the scraper's token or the operator's
   *     admin key
   * @param tokenSha256 SHA-256 (hex) of the scraper's bearer token ({@code ENGRAM_METRICS_TOKEN}),
   *     or null for none; the token itself is never kept
   */
  public record Metrics(boolean keyed, String tokenSha256) {
    /** Anyone who reaches the port. */
    public static final Metrics PUBLIC = new Metrics(false, null);

    /** Whether {@code presented} is the scraper's token (compared in constant time). */
    public boolean isToken(String presented) {
      return tokenSha256 != null
          && presented != null
          && MessageDigest.isEqual(
              Hashing.sha256(presented).getBytes(StandardCharsets.US_ASCII),
              tokenSha256.getBytes(StandardCharsets.US_ASCII));
    }
  }

  /** Where a key's token bucket lives ({@code ENGRAM_RATE_LIMIT_SCOPE}). */
  public enum RateLimitScope {
    /**
     * In each API process's memory: no cost per request, but N replicas allow a key N times the
     * rate.
     */
    REPLICA,
    /**
     * One bucket per key in PostgreSQL, shared by every replica: the stated rate whatever the
     * number of replicas, at the cost of a short transaction per request.
     */
    CLUSTER
  }

  public AccessSettings {
    Objects.requireNonNull(rateScope, "rateScope");
    Objects.requireNonNull(metrics, "metrics");
  }

  /** Whether keys are rate limited at all. */
  public boolean rateLimited() {
    return ratePerSecond > 0;
  }
}
