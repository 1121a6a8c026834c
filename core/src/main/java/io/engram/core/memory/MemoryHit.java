package io.engram.core.memory;

import io.engram.core.db.Columns;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * A remembered fact that matches a query.
 *
 * @param tier episodic or semantic
 * @param factId the fact's id in its tier
 * @param score fused relevance (dense and full text) used for ranking
 * @param dense cosine similarity to the query
 * @param lexical full-text rank against the query (0 when no word matched)
 * @param sourceTurnIds lineage: the turns the fact was distilled from
 * @param since when the fact was first stored
 * @param episodicFactId for a semantic fact, the episodic fact it was promoted from; else the id
 */
public record MemoryHit(
    MemoryTier tier,
    long factId,
    String subject,
    FactKind kind,
    String text,
    double score,
    double dense,
    double lexical,
    double salience,
    int citations,
    List<Long> sourceTurnIds,
    Instant since,
    long episodicFactId) {

  /**
   * A fact read by recall, unscored: both tiers select (id, subject, kind, text, salience,
   * citations, source turn ids, since, origin episodic fact id, dense, lexical) in this order.
   */
  static MemoryHit read(MemoryTier tier, ResultSet rs) throws SQLException {
    return new MemoryHit(
        tier,
        rs.getLong(1),
        rs.getString(2),
        FactKind.fromWire(rs.getString(3)),
        rs.getString(4),
        0,
        rs.getDouble(10),
        rs.getDouble(11),
        rs.getDouble(5),
        rs.getInt(6),
        MemorySql.longs(rs.getArray(7)),
        Columns.instant(rs, 8),
        rs.getLong(9));
  }

  /** The source name in query responses, e.g. {@code memory:semantic/3}. */
  public String source() {
    return tier.source(factId);
  }

  MemoryHit withScore(double fused) {
    return new MemoryHit(
        tier,
        factId,
        subject,
        kind,
        text,
        fused,
        dense,
        lexical,
        salience,
        citations,
        sourceTurnIds,
        since,
        episodicFactId);
  }
}
