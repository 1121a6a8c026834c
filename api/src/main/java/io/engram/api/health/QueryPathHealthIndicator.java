package io.engram.api.health;

import io.engram.core.query.WarmUp;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.AbstractHealthIndicator;
import io.micronaut.management.health.indicator.annotation.Readiness;
import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code queryPath} component of {@code /health} (and of {@code /health/readiness}): not ready
 * until the query path's warm-up is done, so a load balancer, Kubernetes or {@code ./engram up}
 * sends users to it only once its first answers are as fast as the rest. A failed warm-up is
 * reported but does not hold the API back: it serves cold.
 */
@Singleton
@Readiness
class QueryPathHealthIndicator extends AbstractHealthIndicator<Map<String, Object>> {
  private final WarmUp warmUp;

  QueryPathHealthIndicator(WarmUp warmUp) {
    this.warmUp = warmUp;
  }

  @Override
  protected Map<String, Object> getHealthInformation() {
    WarmUp.Report r = warmUp.report();
    healthStatus =
        r.state() == WarmUp.State.DONE || r.state() == WarmUp.State.FAILED
            ? HealthStatus.UP
            : HealthStatus.DOWN;
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("warmUp", r.state().name().toLowerCase(java.util.Locale.ROOT));
    details.put("passages", r.passages());
    details.put("questions", r.questions());
    details.put("millis", r.millis());
    if (r.failure() != null) {
      details.put("failure", r.failure());
    }
    return details;
  }

  @Override
  protected String getName() {
    return "queryPath";
  }
}
