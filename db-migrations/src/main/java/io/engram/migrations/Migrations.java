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
   * Command-line entry point: {@code Migrations [JDBC_URL [USER [PASSWORD]]]}. Without arguments it
   * reads {@code ENGRAM_DB_URL}, {@code ENGRAM_DB_USER} and {@code ENGRAM_DB_PASSWORD}, so the Helm
   * chart's job passes the password from a Secret without putting it on a command line.
   */
  public static void main(String[] args) {
    String usage =
        "usage: Migrations [JDBC_URL [USER [PASSWORD]]]  (applies Engram's schema; without"
            + " arguments: ENGRAM_DB_URL, ENGRAM_DB_USER, ENGRAM_DB_PASSWORD)";
    if (args.length > 0 && args[0].equals("--help")) {
      System.out.println(usage);
      return;
    }
    if (args.length == 0 && System.getenv("ENGRAM_DB_URL") == null) {
      System.err.println(usage);
      System.exit(2);
    }
    String url = args.length > 0 ? args[0] : System.getenv("ENGRAM_DB_URL");
    String user =
        args.length > 1 ? args[1] : args.length == 0 ? System.getenv("ENGRAM_DB_USER") : null;
    String password =
        args.length > 2 ? args[2] : args.length == 0 ? System.getenv("ENGRAM_DB_PASSWORD") : null;
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
