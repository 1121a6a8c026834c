package io.engram.testing;

import org.jdbi.v3.core.Jdbi;

/**
 * Makes one kind of write to a table fail until closed: a trigger that raises {@link #ERROR} stands
 * in for a full disk or a lost connection in the middle of a transaction.
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
    jdbi.useHandle(
        h -> {
          h.execute(
              "CREATE FUNCTION refuse_write() RETURNS trigger LANGUAGE plpgsql AS"
                  + " $$ BEGIN RAISE EXCEPTION '"
                  + ERROR
                  + "'; END $$");
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
