package io.engram.migrations;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/** Applies Engram's Flyway migrations; used by the worker, the API and {@code ./engram migrate}. */
public final class Migrations {
  private Migrations() {}

  /** Migrates the schema to the newest version and returns how many migrations were applied. */
  public static int migrate(DataSource dataSource) {
    MigrateResult result =
        Flyway.configure()
            .dataSource(dataSource)
            .locations("classpath:db/migration")
            .load()
            .migrate();
    return result.migrationsExecuted;
  }

  /**
   * Command-line entry point: {@code Migrations [JDBC_URL [USER]]}, defaulting to {@code
   * ENGRAM_DB_URL} and {@code ENGRAM_DB_USER}. The password is read from {@code ENGRAM_DB_PASSWORD}
   * only, never from the command line, where {@code ps} would show it; the Helm chart's job sets it
   * from a Secret.
   */
  public static void main(String[] args) {
    String usage =
        "usage: Migrations [JDBC_URL [USER]]  (applies Engram's schema; defaults: ENGRAM_DB_URL,"
            + " ENGRAM_DB_USER; the password is read from ENGRAM_DB_PASSWORD only)";
    if (args.length > 0 && args[0].equals("--help")) {
      System.out.println(usage);
      return;
    }
    if (args.length > 2) {
      System.err.println(
          "a password on the command line is visible to every local user; set ENGRAM_DB_PASSWORD"
              + " instead\n"
              + usage);
      System.exit(2);
    }
    String url = args.length > 0 ? args[0] : System.getenv("ENGRAM_DB_URL");
    if (url == null) {
      System.err.println(usage);
      System.exit(2);
    }
    String user = args.length > 1 ? args[1] : System.getenv("ENGRAM_DB_USER");
    String password = System.getenv("ENGRAM_DB_PASSWORD");
    Flyway flyway =
        Flyway.configure()
            .dataSource(url, user, password)
            .locations("classpath:db/migration")
            .load();
    MigrateResult result = flyway.migrate();
    System.out.printf(
        "migrated schema to version %s (%d applied)%n",
        result.targetSchemaVersion == null
            ? flyway.info().current().getVersion()
            : result.targetSchemaVersion,
        result.migrationsExecuted);
  }
}
