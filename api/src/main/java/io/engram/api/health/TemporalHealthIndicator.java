package io.engram.api.health;

import io.engram.core.config.EngramSettings;
import io.grpc.health.v1.HealthCheckResponse;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.AbstractHealthIndicator;
import io.temporal.serviceclient.WorkflowServiceStubs;
import jakarta.inject.Singleton;
import java.util.Map;

/** The {@code temporal} component of {@code /health}: the frontend answers gRPC health checks. */
@Singleton
class TemporalHealthIndicator extends AbstractHealthIndicator<Map<String, Object>> {
  private final WorkflowServiceStubs service;
  private final EngramSettings settings;

  TemporalHealthIndicator(WorkflowServiceStubs service, EngramSettings settings) {
    this.service = service;
    this.settings = settings;
  }

  @Override
  protected Map<String, Object> getHealthInformation() {
    try {
      HealthCheckResponse response = service.healthCheck();
      healthStatus =
          response.getStatus() == HealthCheckResponse.ServingStatus.SERVING
              ? HealthStatus.UP
              : HealthStatus.DOWN;
      return Map.of(
          "address", settings.temporal().address(), "status", response.getStatus().name());
    } catch (Exception e) {
      healthStatus = HealthStatus.DOWN;
      return Map.of(
          "address", settings.temporal().address(), "error", String.valueOf(e.getMessage()));
    }
  }

  @Override
  protected String getName() {
    return "temporal";
  }
}
