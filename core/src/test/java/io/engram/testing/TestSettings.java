package io.engram.testing;

import io.engram.core.config.EngramSettings;
import java.util.HashMap;
import java.util.Map;

/**
 * Settings of a process under test: a fresh database of the shared test PostgreSQL, the small fast
 * embedding model, and whatever a test adds, read through the same {@link EngramSettings} as
 * production (so a test exercises the real defaults and validation).
 */
public final class TestSettings {
  /** The small, fast embedding model the integration tests index with. */
  public static final String MODEL = "all-minilm-l6-v2-q";

  private TestSettings() {}

  /**
   * The variables of a process on {@code dbUrl} of the shared test PostgreSQL, plus {@code extra}.
   */
  public static Map<String, String> values(String dbUrl, Map<String, String> extra) {
    var postgres = EngramServicesExtension.postgres();
    Map<String, String> values = new HashMap<>();
    values.put("ENGRAM_DB_URL", dbUrl);
    values.put("ENGRAM_DB_USER", postgres.user());
    values.put("ENGRAM_DB_PASSWORD", postgres.password());
    values.put("ENGRAM_EMBEDDING_MODEL", MODEL);
    values.put("ENGRAM_MAX_DOCUMENT_BYTES", Integer.toString(1024 * 1024));
    values.put("ENGRAM_WORKER_METRICS_PORT", "0");
    values.putAll(extra);
    return values;
  }

  /** As {@link #values}, also pointing at the shared Temporal dev server (started on first use). */
  public static Map<String, String> withTemporal(String dbUrl, Map<String, String> extra) {
    Map<String, String> values = new HashMap<>();
    values.put("TEMPORAL_ADDRESS", EngramServicesExtension.temporal().address());
    values.putAll(extra);
    return values(dbUrl, values);
  }

  /**
   * The same settings as Micronaut properties ({@code engram.db.url} for {@code ENGRAM_DB_URL}), as
   * an API under test is started with, plus a random port.
   */
  public static Map<String, String> asProperties(Map<String, String> values) {
    Map<String, String> properties = new HashMap<>();
    values.forEach(
        (key, value) ->
            properties.put(key.toLowerCase(java.util.Locale.ROOT).replace('_', '.'), value));
    properties.put("micronaut.server.port", "-1");
    return properties;
  }

  /** The settings of a process on a new database {@code name} of the shared test PostgreSQL. */
  public static EngramSettings forNewDatabase(String name, Map<String, String> extra) {
    return EngramSettings.of(
        values(EngramServicesExtension.postgres().createDatabase(name), extra));
  }
}
