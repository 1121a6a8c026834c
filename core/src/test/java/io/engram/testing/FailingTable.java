package io.engram.testing;

import org.jdbi.v3.core.Jdbi;

/**
 * Makes one kind of write to a table fail until closed: a trigger that raises {@link #ERROR} stands
 * in for a full disk or a lost connection in the middle of a transaction, or for a value the column
 * cannot hold.
 */
public final class FailingTable implements AutoCloseable {
  /** The message of the error every refused write raises. */
  public static final String ERROR = "disk on fire";

  private final Jdbi jdbi;
  private final String table;

  private FailingTable(Jdbi jdbi, String table) {
    this.jdbi = jdbi;
    this.table = table;
  }

  /**
   * @param operation {@code INSERT}, {@code UPDATE} or {@code DELETE}
   */
  public static FailingTable refusing(Jdbi jdbi, String operation, String table) {
    return create(jdbi, operation, table, "RAISE EXCEPTION '" + ERROR + "';");
  }

  /**
   * Refuses the rows for which {@code condition} (over {@code NEW}) holds with a data exception,
   * SQLSTATE 22021 as PostgreSQL raises for a NUL character in text: a value no retry can store.
   *
   * @param operation {@code INSERT} or {@code UPDATE}
   */
  public static FailingTable refusingData(
      Jdbi jdbi, String operation, String table, String condition) {
    return create(
        jdbi,
        operation,
        table,
        "IF "
            + condition
            + " THEN RAISE EXCEPTION '"
            + ERROR
            + "' USING ERRCODE = '22021'; END IF; RETURN NEW;");
  }

  private static FailingTable create(Jdbi jdbi, String operation, String table, String body) {
    jdbi.useHandle(
        h -> {
          h.execute(
              "CREATE FUNCTION refuse_write() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                  + body
                  + " END $$");
          h.execute(
              "CREATE TRIGGER refuse_write BEFORE "
                  + operation
                  + " ON "
                  + table
                  + " FOR EACH ROW EXECUTE FUNCTION refuse_write()");
        });
    return new FailingTable(jdbi, table);
  }

  @Override
  public void close() {
    jdbi.useHandle(
        h -> {
          h.execute("DROP TRIGGER refuse_write ON " + table);
          h.execute("DROP FUNCTION refuse_write()");
        });
  }
}
