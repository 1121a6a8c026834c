package io.engram.api.health;

import io.engram.core.config.EngramSettings;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.management.endpoint.health.DetailsVisibility;
import io.micronaut.management.endpoint.health.HealthEndpoint;
import jakarta.inject.Singleton;

/**
 * Shows {@code /health}'s details (disk space, Temporal's address, pgvector's version, passage
 * counts) to any caller, or to none ({@code ENGRAM_HEALTH_DETAILS}, hidden in prod). Probes need
 * only the status and its HTTP code, which Micronaut reports either way.
 */
@Singleton
class HealthDetails implements BeanCreatedEventListener<HealthEndpoint> {
  private final EngramSettings settings;

  HealthDetails(EngramSettings settings) {
    this.settings = settings;
  }

  @Override
  public HealthEndpoint onCreated(BeanCreatedEvent<HealthEndpoint> event) {
    HealthEndpoint endpoint = event.getBean();
    endpoint.setDetailsVisible(
        settings.api().publicHealthDetails()
            ? DetailsVisibility.ANONYMOUS
            : DetailsVisibility.NEVER);
    return endpoint;
  }
}
