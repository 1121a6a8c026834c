package io.engram.core.memory;

import io.engram.core.embedding.CachedEmbedder;
import io.engram.core.llm.LlmUnavailableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a batch of a session's turns into episodic facts: extract, embed, then store with dedup and
 * supersession in one transaction that also advances the session's distillation watermark and
 * records the batch. A batch is therefore stored entirely or not at all, and distilling it again
 * returns the recorded result instead of storing anything twice.
 */
public final class Distiller {
  private static final Logger log = LoggerFactory.getLogger(Distiller.class);

  /**
   * What a batch did.
   *
   * @param toTurnId the last turn of the batch; the watermark is at least this afterwards
   * @param extractor which extractor found the facts
   * @param replayed true when the batch had been distilled before and this is its recorded result
   */
  public record Outcome(
      long toTurnId,
      List<Long> storedIds,
      List<Long> mergedIds,
      List<Long> supersededIds,
      String extractor,
      boolean replayed) {}

  /** The session does not exist (any more): a permanent condition, retrying cannot help. */
  public static final class UnknownSessionException extends Exception {
    public UnknownSessionException(UUID sessionId) {
      super("no session " + sessionId);
    }
  }

  private final DataSource dataSource;
  private final EpisodicMemory episodic;
  private final FactExtractor extractor;
  private final FactExtractor fallback;
  private final CachedEmbedder embedder;

  /**
   * @param extractor the preferred extractor (an LLM-backed one when configured)
   * @param fallback used when {@code extractor} cannot reach its LLM; an outage degrades extraction
   *     to the local patterns rather than failing every conversation
   */
  public Distiller(
      DataSource dataSource,
      EpisodicMemory episodic,
      FactExtractor extractor,
      FactExtractor fallback,
      CachedEmbedder embedder) {
    this.dataSource = dataSource;
    this.episodic = episodic;
    this.extractor = extractor;
    this.fallback = fallback;
    this.embedder = embedder;
  }

  /** The ids of the session's turns after its watermark, oldest first, at most {@code limit}. */
  public List<Long> pendingTurns(UUID sessionId, int limit) throws SQLException {
    List<Long> ids = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT id FROM turns WHERE session_id = ? AND id > coalesce("
                    + "(SELECT last_turn_id FROM distillation_state WHERE session_id = ?), 0)"
                    + " ORDER BY id LIMIT ?")) {
      ps.setObject(1, sessionId);
      ps.setObject(2, sessionId);
      ps.setInt(3, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getLong(1));
        }
      }
    }
    return ids;
  }

  /** How far the session is distilled (0 before its first batch). */
  public long watermark(UUID sessionId) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT last_turn_id FROM distillation_state WHERE session_id = ?")) {
      ps.setObject(1, sessionId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    }
  }

  /**
   * Distills the turns {@code turnIds} of a session.
   *
   * @throws MalformedExtractionException when the extractor's output is invalid; nothing is stored
   * @throws UnknownSessionException when the session does not exist
   */
  public Outcome distill(UUID sessionId, List<Long> turnIds, Instant now)
      throws SQLException, MalformedExtractionException, UnknownSessionException {
    if (turnIds.isEmpty()) {
      return new Outcome(0, List.of(), List.of(), List.of(), "none", false);
    }
    long toTurnId = Collections.max(turnIds);
    Optional<Outcome> recorded = recorded(sessionId, toTurnId);
    if (recorded.isPresent()) {
      return recorded.get();
    }
    MemoryScope scope = scope(sessionId);
    List<FactExtractor.Turn> turns = turns(sessionId, turnIds);
    List<String> known = episodic.knownSubjects(scope, now);
    List<ExtractedFact> facts;
    String used = extractor.name();
    try {
      facts = extractor.extract(turns, known);
    } catch (LlmUnavailableException e) {
      log.warn(
          "fact extraction by {} unavailable ({}); using {} for session {}",
          extractor.name(),
          e.getMessage(),
          fallback.name(),
          sessionId);
      used = fallback.name();
      try {
        facts = fallback.extract(turns, known);
      } catch (LlmUnavailableException unreachable) {
        throw new IllegalStateException("the fallback extractor must not need an LLM", unreachable);
      }
    }
    List<float[]> vectors =
        embedder.embed(facts.stream().map(ExtractedFact::text).toList(), () -> {});

    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        long watermark = lockWatermark(c, sessionId, now);
        Optional<Outcome> raced = recorded(c, sessionId, toTurnId);
        if (raced.isPresent()) {
          c.rollback();
          return raced.get();
        }
        if (watermark >= toTurnId) {
          // Another run distilled these turns in batches of other bounds: nothing is left to do.
          c.rollback();
          return new Outcome(toTurnId, List.of(), List.of(), List.of(), used, true);
        }
        EpisodicMemory.StoreResult result =
            episodic.store(c, scope, facts, vectors, embedder.modelName(), used, now);
        try (PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO distillation_batches (session_id, to_turn_id, turn_ids, status,"
                    + " extractor, stored_ids, merged_ids, superseded_ids, created_at)"
                    + " VALUES (?, ?, ?, 'done', ?, ?, ?, ?, ?)")) {
          ps.setObject(1, sessionId);
          ps.setLong(2, toTurnId);
          ps.setArray(3, MemorySql.longs(c, turnIds));
          ps.setString(4, used);
          ps.setArray(5, MemorySql.longs(c, result.storedIds()));
          ps.setArray(6, MemorySql.longs(c, result.mergedIds()));
          ps.setArray(7, MemorySql.longs(c, result.supersededIds()));
          ps.setObject(8, MemorySql.ts(now));
          ps.executeUpdate();
        }
        advance(c, sessionId, toTurnId, now);
        c.commit();
        return new Outcome(
            toTurnId, result.storedIds(), result.mergedIds(), result.supersededIds(), used, false);
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  /**
   * Records a batch that could not be distilled (its extraction stayed malformed) and moves the
   * watermark past it, storing no fact: the turns stay in working memory and the failure is listed
   * in {@code distillation_batches} for an operator.
   */
  public void recordFailure(UUID sessionId, List<Long> turnIds, String reason, Instant now)
      throws SQLException {
    if (turnIds.isEmpty()) {
      return;
    }
    long toTurnId = Collections.max(turnIds);
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        lockWatermark(c, sessionId, now);
        try (PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO distillation_batches (session_id, to_turn_id, turn_ids, status, error,"
                    + " created_at) VALUES (?, ?, ?, 'failed', ?, ?) ON CONFLICT DO NOTHING")) {
          ps.setObject(1, sessionId);
          ps.setLong(2, toTurnId);
          ps.setArray(3, MemorySql.longs(c, turnIds));
          ps.setString(
              4, reason == null ? null : reason.substring(0, Math.min(1000, reason.length())));
          ps.setObject(5, MemorySql.ts(now));
          ps.executeUpdate();
        }
        advance(c, sessionId, toTurnId, now);
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  private MemoryScope scope(UUID sessionId) throws SQLException, UnknownSessionException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement("SELECT collection, user_id FROM sessions WHERE id = ?")) {
      ps.setObject(1, sessionId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new UnknownSessionException(sessionId);
        }
        return new MemoryScope(sessionId, rs.getString(2), rs.getString(1));
      }
    }
  }

  private List<FactExtractor.Turn> turns(UUID sessionId, List<Long> ids) throws SQLException {
    List<FactExtractor.Turn> turns = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT id, role, text FROM turns WHERE session_id = ? AND id = ANY (?) ORDER BY id")) {
      ps.setObject(1, sessionId);
      ps.setArray(2, MemorySql.longs(c, ids));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          turns.add(new FactExtractor.Turn(rs.getLong(1), rs.getString(2), rs.getString(3)));
        }
      }
    }
    return turns;
  }

  /** Creates the session's watermark row if needed and locks it for the transaction. */
  private static long lockWatermark(Connection c, UUID sessionId, Instant now) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO distillation_state (session_id, last_turn_id, updated_at) VALUES (?, 0, ?)"
                + " ON CONFLICT DO NOTHING")) {
      ps.setObject(1, sessionId);
      ps.setObject(2, MemorySql.ts(now));
      ps.executeUpdate();
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT last_turn_id FROM distillation_state WHERE session_id = ? FOR UPDATE")) {
      ps.setObject(1, sessionId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static void advance(Connection c, UUID sessionId, long toTurnId, Instant now)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE distillation_state SET last_turn_id = greatest(last_turn_id, ?), updated_at = ?"
                + " WHERE session_id = ?")) {
      ps.setLong(1, toTurnId);
      ps.setObject(2, MemorySql.ts(now));
      ps.setObject(3, sessionId);
      ps.executeUpdate();
    }
  }

  private Optional<Outcome> recorded(UUID sessionId, long toTurnId) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      return recorded(c, sessionId, toTurnId);
    }
  }

  private static Optional<Outcome> recorded(Connection c, UUID sessionId, long toTurnId)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT status, extractor, stored_ids, merged_ids, superseded_ids, error"
                + " FROM distillation_batches WHERE session_id = ? AND to_turn_id = ?")) {
      ps.setObject(1, sessionId);
      ps.setLong(2, toTurnId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(
            new Outcome(
                toTurnId,
                MemorySql.longs(rs.getArray(3)),
                MemorySql.longs(rs.getArray(4)),
                MemorySql.longs(rs.getArray(5)),
                rs.getString(1).equals("failed") ? "failed" : rs.getString(2),
                true));
      }
    }
  }
}
