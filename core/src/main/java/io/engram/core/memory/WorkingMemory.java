package io.engram.core.memory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/** Sessions and their recent turns in PostgreSQL: the working memory of a conversation. */
public final class WorkingMemory {

  /** One turn, oldest first when listed. */
  public record Turn(
      String role, String text, String intent, String rewrittenQuery, List<String> sources) {}

  /** How far a session has come: its user turns (exchanges) and its newest turn id. */
  public record Progress(long userTurns, long lastTurnId) {}

  private final DataSource dataSource;

  public WorkingMemory(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  public UUID createSession(String collection, String userId) throws SQLException {
    UUID id = UUID.randomUUID();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement("INSERT INTO sessions (id, collection, user_id) VALUES (?, ?, ?)")) {
      ps.setObject(1, id);
      ps.setString(2, collection);
      ps.setString(3, userId);
      ps.executeUpdate();
    }
    return id;
  }

  /** The session's collection, if the session exists and is open. */
  public Optional<String> collectionOf(UUID sessionId) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT collection FROM sessions WHERE id = ? AND closed_at IS NULL")) {
      ps.setObject(1, sessionId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    }
  }

  /** The last {@code n} turns of a session, oldest first. */
  public List<Turn> recentTurns(UUID sessionId, int n) throws SQLException {
    List<Turn> turns = new ArrayList<>(n);
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT role, text, intent, rewritten_query, sources FROM turns"
                    + " WHERE session_id = ? ORDER BY id DESC LIMIT ?")) {
      ps.setObject(1, sessionId);
      ps.setInt(2, n);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          turns.add(
              new Turn(
                  rs.getString(1),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getString(4),
                  List.of((String[]) rs.getArray(5).getArray())));
        }
      }
    }
    Collections.reverse(turns);
    return turns;
  }

  /** The session's exchange count and newest turn id (zeros for a session without turns). */
  public Progress progress(UUID sessionId) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT count(*) FILTER (WHERE role = 'user'), coalesce(max(id), 0) FROM turns"
                    + " WHERE session_id = ?")) {
      ps.setObject(1, sessionId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new Progress(rs.getLong(1), rs.getLong(2));
      }
    }
  }

  /** Appends a question and its answer in one transaction, so a session never holds half a turn. */
  public void appendExchange(
      UUID sessionId,
      String question,
      String intent,
      String rewrittenQuery,
      String answer,
      List<String> sources)
      throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO turns (session_id, role, text, intent, rewritten_query, sources) VALUES (?, ?, ?, ?, ?, ?)")) {
        ps.setObject(1, sessionId);
        ps.setString(2, "user");
        ps.setString(3, question);
        ps.setString(4, intent);
        ps.setString(5, rewrittenQuery);
        ps.setArray(6, c.createArrayOf("text", new Object[0]));
        ps.addBatch();
        ps.setObject(1, sessionId);
        ps.setString(2, "assistant");
        ps.setString(3, answer);
        ps.setString(4, null);
        ps.setString(5, null);
        ps.setArray(6, c.createArrayOf("text", sources.toArray()));
        ps.addBatch();
        ps.executeBatch();
      }
      try (PreparedStatement ps =
          c.prepareStatement("UPDATE sessions SET last_active_at = now() WHERE id = ?")) {
        ps.setObject(1, sessionId);
        ps.executeUpdate();
      }
      c.commit();
    }
  }
}
