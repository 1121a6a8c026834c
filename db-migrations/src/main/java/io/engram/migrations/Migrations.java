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

  /** Command-line entry point: {@code Migrations JDBC_URL [USER [PASSWORD]]}. */
  public static void main(String[] args) {
    if (args.length < 1 || args[0].equals("--help")) {
      System.out.println("usage: Migrations JDBC_URL [USER [PASSWORD]]  (applies Engram's schema)");
      return;
    }
    Flyway flyway =
        Flyway.configure()
            .dataSource(args[0], args.length > 1 ? args[1] : null, args.length > 2 ? args[2] : null)
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
