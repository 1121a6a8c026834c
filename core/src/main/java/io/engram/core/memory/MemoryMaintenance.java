package io.engram.core.memory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The batch SQL behind the memory lifecycle jobs: citation flush and salience decay, TTL deletion,
 * closing idle sessions, and promotion of strong episodic facts to semantic memory. Every method
 * takes {@code now} from its caller (a workflow's clock), commits per batch, and is safe to retry:
 * each batch is one transaction whose effects a second run does not repeat.
 */
public final class MemoryMaintenance {

  /** Citations folded into fact counters. */
  public record FlushResult(long citations, long episodicFacts, long semanticFacts) {}

  /**
   * One promotion batch.
   *
   * @param episodicIds the facts promoted (or, in a dry run, that would be)
   * @param semanticIds their new semantic ids (empty in a dry run)
   * @param lastId the cursor for the next batch
   * @param more whether the batch was full, so another may follow
   * @param replayed true when the batch had been committed before and this is its record
   */
  public record PromotionOutcome(
      List<Long> episodicIds,
      List<Long> semanticIds,
      long lastId,
      boolean more,
      boolean replayed) {}

  /** A closed session and how many of its turns were released. */
  public record Closed(boolean closed, long turnsReleased) {}

  private final DataSource dataSource;
  private final MemorySettings settings;

  public MemoryMaintenance(DataSource dataSource, MemorySettings settings) {
    this.dataSource = dataSource;
    this.settings = settings;
  }

  /**
   * Folds up to {@code limit} buffered citations made at or before {@code now} into their facts:
   * citation counts, last-cited times, salience (each citation closes {@link
   * MemorySettings#citationBoost()} of the gap to 1, after decay to now) and lifetimes (a cited
   * fact lives at least a TTL past its last citation). Buffer rows are deleted in the same
   * statement, so a citation counts exactly once. Citations of an episodic fact promoted in the
   * meantime go to its semantic successor.
   */
  public FlushResult flushCitations(Instant now, int limit) throws SQLException {
    String sql =
        "WITH flushed AS ("
            + "  DELETE FROM fact_citations WHERE id IN (SELECT id FROM fact_citations"
            + "    WHERE cited_at <= ? ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED)"
            + "  RETURNING tier, fact_id, cited_at),"
            + " counts AS (SELECT tier, fact_id, count(*)::int AS n, max(cited_at) AS last"
            + "  FROM flushed GROUP BY tier, fact_id),"
            + " episodic AS ("
            + "  UPDATE episodic_facts e SET"
            + "    salience = least(1, 1 - (1 - "
            + MemorySql.DECAYED
            + ") * power(1 - ?, c.n)),"
            + "    salience_at = greatest(e.salience_at, ?),"
            + "    citations = e.citations + c.n,"
            + "    last_cited_at = greatest(e.last_cited_at, c.last),"
            + "    expires_at = greatest(e.expires_at, c.last + ? * interval '1 second')"
            + "  FROM counts c WHERE c.tier = 'episodic' AND e.id = c.fact_id RETURNING e.id),"
            + " semantic_counts AS (SELECT s.id, sum(c.n)::int AS n, max(c.last) AS last"
            + "  FROM counts c JOIN semantic_facts s ON (c.tier = 'semantic' AND s.id = c.fact_id)"
            + "    OR (c.tier = 'episodic' AND s.episodic_fact_id = c.fact_id) GROUP BY s.id),"
            + " semantic AS ("
            + "  UPDATE semantic_facts s SET"
            + "    salience = least(1, 1 - (1 - s.salience) * power(1 - ?, sc.n)),"
            + "    citations = s.citations + sc.n,"
            + "    last_cited_at = greatest(s.last_cited_at, sc.last)"
            + "  FROM semantic_counts sc WHERE s.id = sc.id RETURNING s.id)"
            + " SELECT (SELECT count(*) FROM flushed), (SELECT count(*) FROM episodic),"
            + " (SELECT count(*) FROM semantic)";
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setObject(1, MemorySql.ts(now));
      ps.setInt(2, limit);
      ps.setObject(3, MemorySql.ts(now));
      ps.setDouble(4, settings.salienceHalfLife().toSeconds());
      ps.setDouble(5, settings.citationBoost());
      ps.setObject(6, MemorySql.ts(now));
      ps.setDouble(7, settings.episodicTtl().toSeconds());
      ps.setDouble(8, settings.citationBoost());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new FlushResult(rs.getLong(1), rs.getLong(2), rs.getLong(3));
      }
    }
  }

  /**
   * Decays the salience of up to {@code limit} active facts with ids above {@code afterId} to
   * {@code now}: exponential with {@link MemorySettings#salienceHalfLife()} since the last update,
   * which a citation resets, so salience falls with the age since the last citation. Decay
   * composes, so running this more or less often gives the same values.
   *
   * @return the ids decayed, ascending (the last one is the cursor for the next call)
   */
  public List<Long> decay(Instant now, long afterId, int limit) throws SQLException {
    String sql =
        "UPDATE episodic_facts SET salience = "
            + MemorySql.DECAYED
            + ", salience_at = ? WHERE id IN (SELECT id FROM episodic_facts WHERE id > ?"
            + " AND valid_to IS NULL AND salience_at < ? ORDER BY id LIMIT ?) RETURNING id";
    List<Long> ids = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setObject(1, MemorySql.ts(now));
      ps.setDouble(2, settings.salienceHalfLife().toSeconds());
      ps.setObject(3, MemorySql.ts(now));
      ps.setLong(4, afterId);
      ps.setObject(5, MemorySql.ts(now));
      ps.setInt(6, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getLong(1));
        }
      }
    }
    ids.sort(null);
    return ids;
  }

  /**
   * Deletes up to {@code limit} episodic facts whose lifetime ended at or before {@code now}
   * (really deleted, superseded ones included) and counts them in the day's {@code expired} event,
   * in one transaction.
   *
   * @return how many were deleted
   */
  public int deleteExpired(Instant now, int limit) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        int deleted;
        try (PreparedStatement ps =
            c.prepareStatement(
                "DELETE FROM episodic_facts WHERE id IN (SELECT id FROM episodic_facts"
                    + " WHERE expires_at <= ? ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED)")) {
          ps.setObject(1, MemorySql.ts(now));
          ps.setInt(2, limit);
          deleted = ps.executeUpdate();
        }
        MemorySql.addEvent(c, "expired", deleted, now);
        c.commit();
        return deleted;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  /** Open sessions inactive since before {@code now - idle}, longest idle first. */
  public List<UUID> idleSessions(Instant now, Duration idle, int limit) throws SQLException {
    List<UUID> ids = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT id FROM sessions WHERE closed_at IS NULL AND last_active_at < ?"
                    + " ORDER BY last_active_at LIMIT ?")) {
      ps.setObject(1, MemorySql.ts(now.minus(idle)));
      ps.setInt(2, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getObject(1, UUID.class));
        }
      }
    }
    return ids;
  }

  /**
   * Closes a session and releases its working memory: its distilled turns are deleted except those
   * a stored fact names as its source (the lineage stays resolvable). Turns after the distillation
   * watermark are kept, so closing never loses what distillation has not taken yet. Idempotent.
   */
  public Closed closeSession(UUID sessionId, Instant now) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        boolean closed;
        try (PreparedStatement ps =
            c.prepareStatement(
                "UPDATE sessions SET closed_at = ? WHERE id = ? AND closed_at IS NULL")) {
          ps.setObject(1, MemorySql.ts(now));
          ps.setObject(2, sessionId);
          closed = ps.executeUpdate() > 0;
        }
        long released = releaseTurns(c, "t.session_id = ?", sessionId);
        if (closed) {
          MemorySql.addEvent(c, "sessions_closed", 1, now);
        }
        c.commit();
        return new Closed(closed, released);
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  /**
   * Releases turns of closed sessions that no fact names any more (their facts expired since the
   * session closed), at most {@code limit}.
   */
  public long releaseOrphanTurns(int limit) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      return releaseTurns(
          c,
          "t.id IN (SELECT t2.id FROM turns t2 JOIN sessions s ON s.id = t2.session_id"
              + " WHERE s.closed_at IS NOT NULL ORDER BY t2.id LIMIT ?)",
          limit);
    }
  }

  private static long releaseTurns(Connection c, String filter, Object param) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "DELETE FROM turns t WHERE "
                + filter
                + " AND t.id <= coalesce((SELECT last_turn_id FROM distillation_state d"
                + "   WHERE d.session_id = t.session_id), 0)"
                + " AND NOT EXISTS (SELECT 1 FROM episodic_facts e"
                + "   WHERE e.source_turn_ids @> ARRAY[t.id])"
                + " AND NOT EXISTS (SELECT 1 FROM semantic_facts s"
                + "   WHERE s.source_turn_ids @> ARRAY[t.id])")) {
      ps.setObject(1, param);
      return ps.executeUpdate();
    }
  }

  /**
   * Promotes (or, for a dry run, lists) up to {@code criteria.batchSize()} episodic facts with ids
   * above {@code afterId} whose decayed salience, citations and age exceed the thresholds.
   *
   * <p>A real batch is one transaction: copy to {@code semantic_facts} ({@code INSERT … SELECT … ON
   * CONFLICT (episodic_fact_id) DO NOTHING}), delete from {@code episodic_facts}, record the batch
   * under {@code (runId, batchNo)} and count the day's promotions. A crash anywhere before the
   * commit leaves nothing behind, and running the same batch again returns its record, so a fact is
   * never lost nor duplicated.
   */
  public PromotionOutcome promoteBatch(
      String runId,
      int batchNo,
      long afterId,
      MemorySettings.Promotion criteria,
      Instant now,
      boolean dryRun)
      throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      if (dryRun) {
        List<Long> ids = eligible(c, afterId, criteria, now, false);
        return new PromotionOutcome(
            ids,
            List.of(),
            ids.isEmpty() ? afterId : ids.get(ids.size() - 1),
            ids.size() == criteria.batchSize(),
            false);
      }
      c.setAutoCommit(false);
      try {
        Optional<PromotionOutcome> recorded = recordedBatch(c, runId, batchNo);
        if (recorded.isPresent()) {
          c.rollback();
          return recorded.get();
        }
        List<Long> ids = eligible(c, afterId, criteria, now, true);
        List<Long> semanticIds = new ArrayList<>();
        if (!ids.isEmpty()) {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO semantic_facts (episodic_fact_id, collection, user_id, subject, kind,"
                      + " text, normalized_text, embedding, embedding_model, confidence, salience,"
                      + " citations, source_turn_ids, first_seen_at, last_cited_at, promoted_at,"
                      + " promotion_run)"
                      + " SELECT id, collection, user_id, subject, kind, text, normalized_text,"
                      + " embedding, embedding_model, confidence, least(1, "
                      + MemorySql.DECAYED
                      + "), citations, source_turn_ids, created_at, last_cited_at, ?, ?"
                      + " FROM episodic_facts WHERE id = ANY (?) ORDER BY id"
                      + " ON CONFLICT (episodic_fact_id) DO NOTHING RETURNING id")) {
            ps.setObject(1, MemorySql.ts(now));
            ps.setDouble(2, settings.salienceHalfLife().toSeconds());
            ps.setObject(3, MemorySql.ts(now));
            ps.setString(4, runId + "#" + batchNo);
            ps.setArray(5, MemorySql.longs(c, ids));
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                semanticIds.add(rs.getLong(1));
              }
            }
          }
          try (PreparedStatement ps =
              c.prepareStatement("DELETE FROM episodic_facts WHERE id = ANY (?)")) {
            ps.setArray(1, MemorySql.longs(c, ids));
            ps.executeUpdate();
          }
        }
        semanticIds.sort(null);
        long lastId = ids.isEmpty() ? afterId : ids.get(ids.size() - 1);
        boolean more = ids.size() == criteria.batchSize();
        try (PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO promotion_batches (run_id, batch_no, episodic_ids, semantic_ids,"
                    + " last_id, more, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
          ps.setString(1, runId);
          ps.setInt(2, batchNo);
          ps.setArray(3, MemorySql.longs(c, ids));
          ps.setArray(4, MemorySql.longs(c, semanticIds));
          ps.setLong(5, lastId);
          ps.setBoolean(6, more);
          ps.setObject(7, MemorySql.ts(now));
          ps.executeUpdate();
        }
        MemorySql.addEvent(c, "promoted", semanticIds.size(), now);
        c.commit();
        return new PromotionOutcome(ids, semanticIds, lastId, more, false);
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  private List<Long> eligible(
      Connection c, long afterId, MemorySettings.Promotion criteria, Instant now, boolean lock)
      throws SQLException {
    List<Long> ids = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT id FROM episodic_facts WHERE id > ? AND valid_to IS NULL AND expires_at > ?"
                + " AND citations > ? AND created_at < ? AND "
                + MemorySql.DECAYED
                + " > ? ORDER BY id LIMIT ?"
                + (lock ? " FOR UPDATE SKIP LOCKED" : ""))) {
      ps.setLong(1, afterId);
      ps.setObject(2, MemorySql.ts(now));
      ps.setInt(3, criteria.minCitations());
      ps.setObject(4, MemorySql.ts(now.minus(criteria.minAge())));
      ps.setObject(5, MemorySql.ts(now));
      ps.setDouble(6, settings.salienceHalfLife().toSeconds());
      ps.setDouble(7, criteria.minSalience());
      ps.setInt(8, criteria.batchSize());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getLong(1));
        }
      }
    }
    return ids;
  }

  private static Optional<PromotionOutcome> recordedBatch(Connection c, String runId, int batchNo)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT episodic_ids, semantic_ids, last_id, more FROM promotion_batches"
                + " WHERE run_id = ? AND batch_no = ?")) {
      ps.setString(1, runId);
      ps.setInt(2, batchNo);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(
            new PromotionOutcome(
                MemorySql.longs(rs.getArray(1)),
                MemorySql.longs(rs.getArray(2)),
                rs.getLong(3),
                rs.getBoolean(4),
                true));
      }
    }
  }
}
