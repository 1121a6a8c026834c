package io.engram.api.health;

import io.engram.core.CoreServices;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.AbstractHealthIndicator;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** The {@code db} component of {@code /health}: PostgreSQL answers and has pgvector. */
@Singleton
class DatabaseHealthIndicator extends AbstractHealthIndicator<Map<String, Object>> {
  private final Jdbi jdbi;

  DatabaseHealthIndicator(CoreServices core) {
    this.jdbi = core.jdbi();
  }

  @Override
  protected Map<String, Object> getHealthInformation() {
    try {
      Optional<String> pgvector =
          jdbi.withHandle(
              h ->
                  h.createQuery("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
                      .mapTo(String.class)
                      .findOne());
      if (pgvector.isEmpty()) {
        healthStatus = HealthStatus.DOWN;
        return Map.of("error", "the vector extension is not installed");
      }
      healthStatus = HealthStatus.UP;
      return Map.of("pgvector", pgvector.get());
    } catch (Exception e) {
      healthStatus = HealthStatus.DOWN;
      return Map.of("error", String.valueOf(e.getMessage()));
    }
  }

  @Override
  protected String getName() {
    return "db";
  }
}
