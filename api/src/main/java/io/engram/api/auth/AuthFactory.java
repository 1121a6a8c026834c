package io.engram.api.auth;

import io.engram.core.CoreServices;
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

  /** The time rate-limit buckets refill by; a test replaces it with a clock it moves itself. */
  @Singleton
  TimeMeter rateLimitClock() {
    return TimeMeter.SYSTEM_NANOTIME;
  }

  @Singleton
  RateLimits rateLimits(EngramSettings settings, TimeMeter clock) {
    return new RateLimits(settings.access(), clock);
  }
}
