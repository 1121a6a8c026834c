package io.engram.core.config;

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
 */
public record AccessSettings(
    boolean loopbackAnonymous,
    int ratePerSecond,
    int rateBurst,
    RateLimitScope rateScope,
    long maxRequestBytes) {

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
  }

  /** Whether keys are rate limited at all. */
  public boolean rateLimited() {
    return ratePerSecond > 0;
  }
}
