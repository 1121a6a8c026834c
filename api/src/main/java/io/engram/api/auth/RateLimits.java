package io.engram.api.auth;

import io.engram.core.config.AccessSettings;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per API key ({@code ENGRAM_RATE_LIMIT_PER_SECOND}, {@code
 * ENGRAM_RATE_LIMIT_BURST}), in this API process. Bucket4j keeps the buckets: a small,
 * dependency-free and well-kept implementation of the algorithm (lock-free buckets, exact refill
 * arithmetic, the wait until the next token), where a hand-written one would need its own tests for
 * all of that. Buckets are per replica, so N replicas allow a key N times the rate; a shared limit
 * would cost a database round trip per request.
 */
final class RateLimits {
  /**
   * Whether a request may go ahead.
   *
   * @param retryAfterSeconds when refused: whole seconds until a token is there again (at least 1)
   */
  record Verdict(boolean allowed, long remaining, long retryAfterSeconds) {}

  private static final Verdict UNLIMITED = new Verdict(true, Long.MAX_VALUE, 0);

  private final AccessSettings settings;
  private final TimeMeter clock;
  private final Map<Long, Bucket> buckets = new ConcurrentHashMap<>();

  /**
   * @param clock the time buckets refill by ({@link TimeMeter#SYSTEM_NANOTIME}; tests pass their
   *     own)
   */
  RateLimits(AccessSettings settings, TimeMeter clock) {
    this.settings = settings;
    this.clock = clock;
  }

  /** Takes a token from the key's bucket. */
  Verdict consume(long keyId) {
    if (!settings.rateLimited()) {
      return UNLIMITED;
    }
    ConsumptionProbe probe =
        buckets.computeIfAbsent(keyId, id -> newBucket()).tryConsumeAndReturnRemaining(1);
    if (probe.isConsumed()) {
      return new Verdict(true, probe.getRemainingTokens(), 0);
    }
    long nanos = probe.getNanosToWaitForRefill();
    long seconds = Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
    return new Verdict(false, 0, seconds);
  }

  /** Forgets a revoked key's bucket. */
  void forget(long keyId) {
    buckets.remove(keyId);
  }

  private Bucket newBucket() {
    return Bucket.builder()
        .addLimit(
            limit ->
                limit
                    .capacity(settings.rateBurst())
                    .refillGreedy(settings.ratePerSecond(), Duration.ofSeconds(1)))
        .withCustomTimePrecision(clock)
        .build();
  }
}
