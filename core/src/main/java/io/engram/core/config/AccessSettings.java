package io.engram.core.config;

/**
 * Who may call the API and how much: API keys, the dev profile's unauthenticated loopback calls,
 * per-key rate limits and the size of request bodies.
 *
 * @param loopbackAnonymous requests without a key from the loopback interface are served as the
 *     default tenant with every scope and no rate limit (never in prod)
 * @param ratePerSecond requests per second a key's bucket refills with; 0: no rate limit
 * @param rateBurst requests a key may make at once (the bucket's size)
 * @param maxRequestBytes largest body of a request other than a blob upload (JSON bodies)
 */
public record AccessSettings(
    boolean loopbackAnonymous, int ratePerSecond, int rateBurst, long maxRequestBytes) {

  /** Whether keys are rate limited at all. */
  public boolean rateLimited() {
    return ratePerSecond > 0;
  }
}
