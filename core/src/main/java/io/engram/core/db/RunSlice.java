package io.engram.core.db;

import java.util.function.Function;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

/**
 * A slice of the items a run recorded: those of run {@code runId} numbered {@code from <= n < to}.
 * Workflows process a run's items (documents to ingest, queries to evaluate, answers to write) in
 * such slices, one batch each, and read them back the same way: what is still pending, what is
 * finished, the sums over what is done.
 *
 * <p>A query over a slice names the parameters {@code :runId}, {@code :from} and {@code :to}; the
 * table, its numbering column and the status it asks for are its own, e.g. {@code WHERE run_id =
 * :runId AND seq >= :from AND seq < :to AND status = 'pending'}.
 *
 * @param runId the run's key, as the items' table stores it
 */
public record RunSlice(Object runId, int from, int to) {

  /**
   * Runs {@code sql} over the slice in a handle of its own and reads its result with {@code read}.
   */
  public <T> T query(Jdbi jdbi, String sql, Function<Query, T> read) {
    return jdbi.withHandle(
        h -> read.apply(h.createQuery(sql).bind("runId", runId).bind("from", from).bind("to", to)));
  }
}
