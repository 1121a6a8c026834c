package io.engram.core.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.engram.core.config.DatabaseSettings;
import io.engram.core.store.PgVectorChunkStore;

/** Creates the connection pool; one per process. */
public final class Database {
  private static final long DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

  private Database() {}

  public static HikariDataSource connect(DatabaseSettings settings, String poolName, int maxPool) {
    return connect(
        settings.url(),
        settings.user(),
        settings.password(),
        poolName,
        maxPool,
        settings.connectTimeout().toMillis());
  }

  public static HikariDataSource connect(
      String url, String user, String password, String poolName, int maxPool) {
    return connect(url, user, password, poolName, maxPool, DEFAULT_CONNECT_TIMEOUT_MS);
  }

  private static HikariDataSource connect(
      String url, String user, String password, String poolName, int maxPool, long timeoutMs) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername(user);
    config.setPassword(password);
    config.setPoolName(poolName);
    config.setMaximumPoolSize(maxPool);
    // A fixed-size pool (HikariCP's advice for steady latency): a connection opened under load
    // costs a PostgreSQL backend's start and cold catalog caches on the request that needs it.
    config.setMinimumIdle(maxPool);
    // Every session searches HNSW the way the query path needs it, so a search needs no settings
    // round trip of its own (see PgVectorChunkStore#nearest).
    config.setConnectionInitSql(PgVectorChunkStore.SESSION_SETTINGS);
    // Fail fast at start-up with a clear message instead of hanging when Postgres is not there.
    config.setInitializationFailTimeout(10_000);
    config.setConnectionTimeout(timeoutMs);
    return new HikariDataSource(config);
  }
}
