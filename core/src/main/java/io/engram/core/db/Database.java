package io.engram.core.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.engram.core.config.DatabaseSettings;

/** Creates the connection pool; one per process. */
public final class Database {
  private Database() {}

  public static HikariDataSource connect(DatabaseSettings settings, String poolName, int maxPool) {
    return connect(settings.url(), settings.user(), settings.password(), poolName, maxPool);
  }

  public static HikariDataSource connect(
      String url, String user, String password, String poolName, int maxPool) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername(user);
    config.setPassword(password);
    config.setPoolName(poolName);
    config.setMaximumPoolSize(maxPool);
    config.setMinimumIdle(1);
    // Fail fast at start-up with a clear message instead of hanging when Postgres is not there.
    config.setInitializationFailTimeout(10_000);
    config.setConnectionTimeout(10_000);
    return new HikariDataSource(config);
  }
}
