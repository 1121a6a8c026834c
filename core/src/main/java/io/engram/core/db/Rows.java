package io.engram.core.db;

import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.result.ResultIterable;
import org.jdbi.v3.core.statement.Query;

/**
 * How a table owner reads its rows whole: one select list, one {@code FROM} clause and one row
 * mapper, so that each lookup says only what differs, its condition and the values it binds.
 *
 * <p>A condition is the SQL after the {@code FROM} clause ({@code WHERE id = :id ORDER BY id});
 * {@code binds} binds its parameters, e.g. {@code q -> q.bind("id", id)}. Each lookup runs in a
 * handle of its own ({@link Jdbi}) or in the caller's handle or transaction ({@link Handle}).
 *
 * @param <T> what a row is read as
 */
public final class Rows<T> {
  private final String select;
  private final RowMapper<T> mapper;

  /**
   * @param columns the select list, in the order {@code mapper} reads it
   * @param from the {@code FROM} clause, joins included, without the word {@code FROM}
   */
  public Rows(String columns, String from, RowMapper<T> mapper) {
    this.select = "SELECT " + columns + " FROM " + from + " ";
    this.mapper = mapper;
  }

  /** The row that meets {@code condition}, if there is one. */
  public Optional<T> one(Jdbi jdbi, String condition, UnaryOperator<Query> binds) {
    return jdbi.withHandle(h -> one(h, condition, binds));
  }

  public Optional<T> one(Handle h, String condition, UnaryOperator<Query> binds) {
    return query(h, condition, binds).findOne();
  }

  /** The rows that meet {@code condition}, in the order it says. */
  public List<T> list(Jdbi jdbi, String condition, UnaryOperator<Query> binds) {
    return jdbi.withHandle(h -> list(h, condition, binds));
  }

  public List<T> list(Handle h, String condition, UnaryOperator<Query> binds) {
    return query(h, condition, binds).list();
  }

  private ResultIterable<T> query(Handle h, String condition, UnaryOperator<Query> binds) {
    return binds.apply(h.createQuery(select + condition)).map(mapper);
  }
}
