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

  @Singleton
  RateLimits rateLimits(EngramSettings settings) {
    return new RateLimits(settings.access(), TimeMeter.SYSTEM_NANOTIME);
  }
}
