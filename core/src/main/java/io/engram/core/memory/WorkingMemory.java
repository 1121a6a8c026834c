package io.engram.core.memory;

import io.engram.core.tenant.Tenant;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * Sessions and their recent turns: the working memory of a conversation, over {@link Sessions} and
 * {@link Turns}.
 */
public final class WorkingMemory {

  /** One turn, oldest first when listed. */
  public record Turn(
      String role, String text, String intent, String rewrittenQuery, List<String> sources) {}

  /** How far a session has come: its user turns (exchanges) and its newest turn id. */
  public record Progress(long userTurns, long lastTurnId) {}

  private final Jdbi jdbi;
  private final Sessions sessions;
  private final Turns turns;

  public WorkingMemory(Jdbi jdbi) {
    this.jdbi = jdbi;
    this.sessions = new Sessions(jdbi);
    this.turns = new Turns(jdbi);
  }

  /**
   * Opens a session in the collection with key {@code collection} (and so in its tenant) for {@code
   * userId} (null: anonymous).
   */
  public UUID createSession(String collection, String userId) {
    return sessions.create(collection, userId);
  }

  /**
   * The session's collection key, if the session is {@code tenant}'s and open; empty for another
   * tenant's session, as for one that does not exist.
   */
  public Optional<String> collectionOf(Tenant tenant, UUID sessionId) {
    return sessions.openCollection(tenant, sessionId);
  }

  /** The last {@code n} turns of a session, oldest first. */
  public List<Turn> recentTurns(UUID sessionId, int n) {
    return turns.recent(sessionId, n);
  }

  /** The session's exchange count and newest turn id (zeros for a session without turns). */
  public Progress progress(UUID sessionId) {
    return turns.progress(sessionId);
  }

  /**
   * Appends a question and its answer in one transaction, so a session never holds half a turn.
   *
   * @return false, and nothing stored, when the session no longer exists: it was deleted (its user
   *     forgotten, its collection deleted) while the question was answered
   */
  public boolean appendExchange(
      UUID sessionId,
      String question,
      String intent,
      String rewrittenQuery,
      String answer,
      List<String> sources) {
    Turns.Exchange exchange = new Turns.Exchange(question, intent, rewrittenQuery, answer, sources);
    try {
      jdbi.useTransaction(
          h -> {
            Turns.append(h, sessionId, exchange);
            Sessions.touch(h, sessionId);
          });
      return true;
    } catch (UnableToExecuteStatementException e) {
      if (e.getCause() instanceof SQLException sql
          && FOREIGN_KEY_VIOLATION.equals(sql.getSQLState())) {
        return false;
      }
      throw e;
    }
  }

  /** PostgreSQL's SQLSTATE for a row that names a parent row that does not exist. */
  private static final String FOREIGN_KEY_VIOLATION = "23503";
}
