package io.engram.api.auth;

import io.engram.core.config.AccessSettings;
import io.engram.core.config.AccessSettings.RateLimitScope;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.TokensInheritanceStrategy;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * A token bucket per API key ({@code ENGRAM_RATE_LIMIT_PER_SECOND}, {@code
 * ENGRAM_RATE_LIMIT_BURST}), kept where {@code ENGRAM_RATE_LIMIT_SCOPE} says. Bucket4j keeps the
 * buckets: a small, dependency-free and well-kept implementation of the algorithm (lock-free
 * buckets, exact refill arithmetic, the wait until the next token, and the protocol that shares a
 * bucket through a database), where a hand-written one would need its own tests for all of that.
 *
 * <ul>
 *   <li>{@code replica}: in this process's memory. Free (well under a microsecond per request), but
 *       N replicas allow a key N times the rate.
 *   <li>{@code cluster} (the prod default): in PostgreSQL ({@link PostgresBuckets}, table {@code
 *       rate_limit_buckets}), shared by every replica, so a key gets the stated rate whatever the
 *       number of replicas. Each request costs one short transaction on the API's connection pool
 *       ({@code SELECT ... FOR UPDATE}, {@code UPDATE}, an asynchronous {@code COMMIT}), measured
 *       on a local PostgreSQL on 2 loaded cores at p50 0.2 ms and p95 about 1.2 ms per check (p50
 *       0.45 ms with 4 checks at once), against under a microsecond in memory
 *       (docs/benchmarks/rate-limits.md): about 1 % of a query's latency, paid on keyed requests
 *       only. Requests of one key from several replicas at once take turns on its row (p50 1.1 ms
 *       with 4 at once); different keys do not wait for each other. Replicas' clocks are their wall
 *       clocks: a replica whose clock is off by d refills its key's bucket up to d early or late.
 *       When the database is unreachable, {@link #consume} throws, and the request is answered 503
 *       like any other that needs the database.
 * </ul>
 *
 * <p>The stored bucket carries its configuration. Each {@code cluster} instance stamps its own with
 * the time it was made, and a bucket whose stamp is older is given the newer configuration on its
 * next request, as full as it was (a full bucket stays full, an empty one empty): after a change of
 * rate or burst, the replicas started last decide, and the older ones follow them instead of
 * setting the old limits back.
 */
final class RateLimits {
  /**
   * Whether a request may go ahead.
   *
   * @param retryAfterSeconds when refused: whole seconds until a token is there again (at least 1)
   */
  record Verdict(boolean allowed, long remaining, long retryAfterSeconds) {}

  private static final Verdict UNLIMITED = new Verdict(true, Long.MAX_VALUE, 0);

  /** Where the buckets are. */
  private interface Buckets {
    Bucket of(long keyId);

    void forget(long keyId);
  }

  private final AccessSettings settings;
  private final Buckets buckets;

  private RateLimits(AccessSettings settings, Buckets buckets) {
    this.settings = settings;
    this.buckets = buckets;
  }

  /**
   * The buckets {@code settings} ask for.
   *
   * @param dataSource the database of {@code cluster} buckets (unused for {@code replica})
   * @param clock the time buckets refill by; for {@code cluster}, a wall clock every replica shares
   *     ({@link TimeMeter#SYSTEM_MILLISECONDS}; tests pass their own)
   */
  static RateLimits of(AccessSettings settings, DataSource dataSource, TimeMeter clock) {
    return settings.rateScope() == RateLimitScope.CLUSTER
        ? inCluster(settings, dataSource, clock)
        : inReplica(settings, clock);
  }

  /**
   * Buckets in this process's memory.
   *
   * @param clock the time buckets refill by ({@link TimeMeter#SYSTEM_NANOTIME}; tests pass their
   *     own)
   */
  static RateLimits inReplica(AccessSettings settings, TimeMeter clock) {
    Map<Long, Bucket> local = new ConcurrentHashMap<>();
    return new RateLimits(
        settings,
        new Buckets() {
          @Override
          public Bucket of(long keyId) {
            return local.computeIfAbsent(
                keyId,
                id ->
                    Bucket.builder()
                        .addLimit(limit(settings))
                        .withCustomTimePrecision(clock)
                        .build());
          }

          @Override
          public void forget(long keyId) {
            local.remove(keyId);
          }
        });
  }

  /**
   * Buckets in the table {@code rate_limit_buckets} of {@code dataSource}, shared with every other
   * instance over the same database.
   *
   * @param clock a wall clock ({@link TimeMeter#isWallClockBased()}): a bucket's last refill is
   *     written by one replica and read by another
   */
  static RateLimits inCluster(AccessSettings settings, DataSource dataSource, TimeMeter clock) {
    PostgresBuckets shared = new PostgresBuckets(dataSource, clock);
    BucketConfiguration configuration =
        settings.rateLimited()
            ? BucketConfiguration.builder().addLimit(limit(settings)).build()
            : null;
    long configured = clock.currentTimeNanos();
    return new RateLimits(
        settings,
        new Buckets() {
          @Override
          public Bucket of(long keyId) {
            // A proxy holds no state of its own: each operation is one transaction on the row.
            return shared
                .builder()
                .withImplicitConfigurationReplacement(
                    configured, TokensInheritanceStrategy.PROPORTIONALLY)
                .build(keyId, () -> configuration);
          }

          @Override
          public void forget(long keyId) {
            shared.removeProxy(keyId);
          }
        });
  }

  /** The bucket's size and refill; only asked for when keys are limited (a rate above 0). */
  private static Bandwidth limit(AccessSettings settings) {
    return Bandwidth.builder()
        .capacity(settings.rateBurst())
        .refillGreedy(settings.ratePerSecond(), Duration.ofSeconds(1))
        .build();
  }

  /**
   * Takes a token from the key's bucket.
   *
   * @throws RuntimeException in {@code cluster} scope, when the database fails; an unreachable one
   *     is told by {@link io.engram.core.db.DatabaseUnavailable#causes}
   */
  Verdict consume(long keyId) {
    if (!settings.rateLimited()) {
      return UNLIMITED;
    }
    ConsumptionProbe probe = buckets.of(keyId).tryConsumeAndReturnRemaining(1);
    if (probe.isConsumed()) {
      return new Verdict(true, probe.getRemainingTokens(), 0);
    }
    long nanos = probe.getNanosToWaitForRefill();
    long seconds = Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
    return new Verdict(false, 0, seconds);
  }

  /** Forgets a revoked key's bucket: this replica's, or the one every replica shares. */
  void forget(long keyId) {
    buckets.forget(keyId);
  }
}
