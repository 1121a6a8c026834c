package io.engram.api.health;

import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.AbstractHealthIndicator;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import javax.sql.DataSource;

/** The {@code db} component of {@code /health}: PostgreSQL answers and has pgvector. */
@Singleton
class DatabaseHealthIndicator extends AbstractHealthIndicator<Map<String, Object>> {
  private final DataSource dataSource;

  DatabaseHealthIndicator(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  @Override
  protected Map<String, Object> getHealthInformation() {
    try (Connection c = dataSource.getConnection();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery("SELECT extversion FROM pg_extension WHERE extname = 'vector'")) {
      if (!rs.next()) {
        healthStatus = HealthStatus.DOWN;
        return Map.of("error", "the vector extension is not installed");
      }
      healthStatus = HealthStatus.UP;
      return Map.of("pgvector", rs.getString(1));
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
