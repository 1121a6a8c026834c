package io.engram.core.querylog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/** The query log and the feedback given on logged queries. */
public final class QueryLog {

  /** One answered query. */
  public record Entry(
      UUID id,
      String collection,
      String sessionId,
      String query,
      String modelVersion,
      String answerMode,
      double latencyMs,
      List<Long> chunkIds,
      List<String> sources) {}

  private final DataSource dataSource;

  public QueryLog(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  public void record(Entry e) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO query_log (id, collection, session_id, query, model_version, answer_mode,"
                    + " latency_ms, top_chunk_ids, top_sources) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    + " ON CONFLICT DO NOTHING")) {
      ps.setObject(1, e.id());
      ps.setString(2, e.collection());
      ps.setString(3, e.sessionId());
      ps.setString(4, e.query());
      ps.setString(5, e.modelVersion());
      ps.setString(6, e.answerMode());
      ps.setDouble(7, e.latencyMs());
      ps.setArray(8, c.createArrayOf("bigint", e.chunkIds().toArray()));
      ps.setArray(9, c.createArrayOf("text", e.sources().toArray()));
      ps.executeUpdate();
    }
  }

  /**
   * Stores feedback on a logged query; empty when no such query was logged.
   *
   * @param rating -1 (bad), 0 (neutral) or 1 (good)
   */
  public Optional<Long> feedback(UUID queryId, int rating, String source, String comment)
      throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO feedback (query_id, rating, source, comment)"
                    + " SELECT id, ?, ?, ? FROM query_log WHERE id = ? RETURNING id")) {
      ps.setInt(1, rating);
      ps.setString(2, source);
      ps.setString(3, comment);
      ps.setObject(4, queryId);
      try (var rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
      }
    }
  }
}
