package io.engram.api.auth;

import io.engram.core.CoreServices;
import io.engram.core.config.AccessSettings;
import io.engram.core.config.EngramSettings;
import io.engram.core.tenant.ApiKeys;
import io.github.bucket4j.TimeMeter;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;

/** The beans of authentication and limits, over core's graph. */
@Factory
class AuthFactory {
  @Singleton
  ApiKeys apiKeys(CoreServices core) {
    return new ApiKeys(core.jdbi());
  }

  /**
   * The time rate-limit buckets refill by: this process's monotonic clock for its own buckets, the
   * wall clock for buckets every replica shares (ENGRAM_RATE_LIMIT_SCOPE=cluster). A test replaces
   * it with a clock it moves itself.
   */
  @Singleton
  TimeMeter rateLimitClock(EngramSettings settings) {
    return settings.access().rateScope() == AccessSettings.RateLimitScope.CLUSTER
        ? TimeMeter.SYSTEM_MILLISECONDS
        : TimeMeter.SYSTEM_NANOTIME;
  }

  /** Shared buckets live in the API's own database, on its connection pool. */
  @Singleton
  RateLimits rateLimits(EngramSettings settings, CoreServices core, TimeMeter clock) {
    return RateLimits.of(settings.access(), core.dataSource(), clock);
  }
}
