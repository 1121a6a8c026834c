package io.engram.core.memory;

import com.pgvector.PGvector;
import io.engram.core.embedding.EmbeddingModels;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Semantic memory: facts promoted from episodic memory, without session details but with their
 * lineage (the episodic fact and the turns it came from). Searched per collection: the owner's
 * facts and the collection's facts that have no owner.
 */
public final class SemanticMemory {

  /** A promoted fact, as read back for inspection and tests. */
  public record Fact(
      long id,
      long episodicFactId,
      String collection,
      String userId,
      String subject,
      FactKind kind,
      String text,
      double salience,
      int citations,
      List<Long> sourceTurnIds,
      Instant firstSeenAt,
      Instant promotedAt,
      String promotionRun,
      Instant validTo) {}

  static final String HIT_COLUMNS =
      "id, subject, kind, text, salience, citations, source_turn_ids, first_seen_at,"
          + " episodic_fact_id";

  private final DataSource dataSource;

  public SemanticMemory(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** Every promoted fact of a collection, oldest first. */
  public List<Fact> facts(String collection) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT id, episodic_fact_id, collection, user_id, subject, kind, text, salience,"
                    + " citations, source_turn_ids, first_seen_at, promoted_at, promotion_run,"
                    + " valid_to FROM semantic_facts WHERE collection = ? ORDER BY id")) {
      ps.setString(1, collection);
      List<Fact> facts = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          facts.add(
              new Fact(
                  rs.getLong(1),
                  rs.getLong(2),
                  rs.getString(3),
                  rs.getString(4),
                  rs.getString(5),
                  FactKind.fromWire(rs.getString(6)),
                  rs.getString(7),
                  rs.getDouble(8),
                  rs.getInt(9),
                  MemorySql.longs(rs.getArray(10)),
                  MemorySql.instant(rs, 11),
                  MemorySql.instant(rs, 12),
                  rs.getString(13),
                  MemorySql.instant(rs, 14)));
        }
      }
      return facts;
    }
  }

  /** The fact promoted from an episodic fact, if it was promoted. */
  public Optional<Fact> promotedFrom(String collection, long episodicFactId) throws SQLException {
    return facts(collection).stream().filter(f -> f.episodicFactId() == episodicFactId).findFirst();
  }

  /**
   * Candidates for a query: the nearest facts by the HNSW index and the best full-text matches,
   * each with both scores. Superseded facts are excluded.
   */
  List<MemoryHit> candidates(
      MemoryScope scope, String model, float[] query, String tsquery, int limit)
      throws SQLException {
    Map<Long, MemoryHit> hits = new LinkedHashMap<>();
    int dimension = EmbeddingModels.spec(model).dimension();
    // The cast and the repeated predicate let the planner use the partial HNSW index of V6.
    String vectorType = "vector(" + dimension + ")";
    String lexical = tsquery.isEmpty() ? "0" : "ts_rank(tsv, to_tsquery('simple', ?), 1)";
    String scopeSql = "collection = ? AND (user_id IS NULL OR user_id = ?) AND valid_to IS NULL";
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        st.execute("SET LOCAL hnsw.ef_search = " + Math.max(40, limit));
        st.execute("SET LOCAL hnsw.iterative_scan = relaxed_order");
      }
      String dense =
          ("SELECT %1$s, 1 - (embedding::%2$s <=> ?::%2$s), %3$s FROM semantic_facts"
                  + " WHERE vector_dims(embedding) = %4$d AND embedding_model = ? AND %5$s"
                  + " ORDER BY embedding::%2$s <=> ?::%2$s LIMIT ?")
              .formatted(HIT_COLUMNS, vectorType, lexical, dimension, scopeSql);
      try (PreparedStatement ps = c.prepareStatement(dense)) {
        PGvector v = new PGvector(query);
        int i = 1;
        ps.setObject(i++, v);
        if (!tsquery.isEmpty()) {
          ps.setString(i++, tsquery);
        }
        ps.setString(i++, model);
        ps.setString(i++, scope.collection());
        ps.setString(i++, scope.userId());
        ps.setObject(i++, v);
        ps.setInt(i, limit);
        read(ps, hits);
      }
      if (!tsquery.isEmpty()) {
        String text =
            ("SELECT %1$s, CASE WHEN embedding_model = ? THEN 1 - (embedding <=> ?) ELSE 0 END,"
                    + " ts_rank(tsv, q, 1) AS lexical FROM semantic_facts, to_tsquery('simple', ?) q"
                    + " WHERE tsv @@ q AND %2$s ORDER BY lexical DESC LIMIT ?")
                .formatted(HIT_COLUMNS, scopeSql);
        try (PreparedStatement ps = c.prepareStatement(text)) {
          ps.setString(1, model);
          ps.setObject(2, new PGvector(query));
          ps.setString(3, tsquery);
          ps.setString(4, scope.collection());
          ps.setString(5, scope.userId());
          ps.setInt(6, limit);
          read(ps, hits);
        }
      }
      c.commit();
    }
    return new ArrayList<>(hits.values());
  }

  private static void read(PreparedStatement ps, Map<Long, MemoryHit> hits) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        MemoryHit hit = MemoryHit.read(MemoryTier.SEMANTIC, rs);
        hits.putIfAbsent(hit.factId(), hit);
      }
    }
  }
}
