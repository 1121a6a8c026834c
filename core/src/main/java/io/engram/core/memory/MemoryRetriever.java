package io.engram.core.memory;

import com.pgvector.PGvector;
import io.engram.core.embedding.EmbeddingModels;
import io.engram.core.retrieval.QueryEmbeddings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Recalls what Engram remembers about a conversation's user for a query: hybrid search (dense
 * cosine plus full text) over the owner's active episodic facts and the collection's semantic
 * facts, fused like document retrieval. Superseded and expired facts are never returned. Meant to
 * run beside document retrieval on the query path.
 */
public final class MemoryRetriever {

  /**
   * How recall ranks and filters.
   *
   * @param denseWeight weight of the dense score in the fusion; full text gets the rest
   * @param minSimilarity facts less similar than this to the query are not recalled at all, so an
   *     unrelated memory never becomes a source (and never collects a citation)
   * @param candidates candidates per tier and leg before fusion
   */
  public record Options(double denseWeight, double minSimilarity, int candidates) {
    public Options {
      if (!(denseWeight >= 0 && denseWeight <= 1)) {
        throw new IllegalArgumentException("dense weight must be in [0, 1]");
      }
      if (!(minSimilarity >= -1 && minSimilarity <= 1)) {
        throw new IllegalArgumentException("min similarity must be in [-1, 1]");
      }
      if (candidates < 1) {
        throw new IllegalArgumentException("candidates must be positive");
      }
    }

    /**
     * Defaults for a model. Cosine similarities are not comparable across models: bge-small puts
     * unrelated sentences around 0.5-0.6, MiniLM around 0-0.2, so the recall cut-off differs.
     */
    public static Options forModel(String model) {
      double min = model.startsWith("all-minilm") ? 0.45 : 0.72;
      return new Options(0.8, min, 50);
    }
  }

  private static final String EPISODIC_COLUMNS =
      "id, subject, kind, text, salience, citations, source_turn_ids, created_at, id AS origin";

  private final DataSource dataSource;
  private final SemanticMemory semantic;
  private final String model;
  private final QueryEmbeddings embeddings;
  private final Options options;

  public MemoryRetriever(
      DataSource dataSource, String model, QueryEmbeddings embeddings, Options options) {
    this.dataSource = dataSource;
    this.semantic = new SemanticMemory(dataSource);
    this.model = model;
    this.embeddings = embeddings;
    this.options = options;
  }

  /** The scope of a session, if it exists. */
  public Optional<MemoryScope> scopeOf(UUID sessionId) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement("SELECT collection, user_id FROM sessions WHERE id = ?")) {
      ps.setObject(1, sessionId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next()
            ? Optional.of(new MemoryScope(sessionId, rs.getString(2), rs.getString(1)))
            : Optional.empty();
      }
    }
  }

  /** The {@code topK} facts of the session's scope most relevant to {@code query}. */
  public List<MemoryHit> recall(UUID sessionId, String query, int topK, Instant now)
      throws SQLException {
    Optional<MemoryScope> scope = scopeOf(sessionId);
    return scope.isEmpty() ? List.of() : recall(scope.get(), query, topK, now);
  }

  /** The {@code topK} facts of {@code scope} most relevant to {@code query}. */
  public List<MemoryHit> recall(MemoryScope scope, String query, int topK, Instant now)
      throws SQLException {
    float[] vector = embeddings.embed(model, EmbeddingModels.get(model), query);
    String tsquery;
    try (Connection c = dataSource.getConnection()) {
      tsquery = MemorySql.orQuery(c, query);
    }
    List<MemoryHit> candidates = new ArrayList<>(episodic(scope, vector, tsquery, now));
    candidates.addAll(semantic.candidates(scope, model, vector, tsquery, options.candidates()));
    return fuse(candidates, options, topK);
  }

  /**
   * Keeps candidates similar enough to the query and ranks them by {@code w * dense + (1 - w) *
   * lexical / max lexical}, salience breaking ties.
   */
  static List<MemoryHit> fuse(List<MemoryHit> candidates, Options options, int topK) {
    double maxLexical = candidates.stream().mapToDouble(MemoryHit::lexical).max().orElse(0);
    List<MemoryHit> kept = new ArrayList<>();
    for (MemoryHit hit : candidates) {
      if (hit.dense() < options.minSimilarity()) {
        continue;
      }
      double lexical = maxLexical > 0 ? hit.lexical() / maxLexical : 0;
      kept.add(
          hit.withScore(
              options.denseWeight() * hit.dense() + (1 - options.denseWeight()) * lexical));
    }
    kept.sort(
        Comparator.comparingDouble(MemoryHit::score)
            .reversed()
            .thenComparing(Comparator.comparingDouble(MemoryHit::salience).reversed())
            .thenComparingLong(MemoryHit::factId));
    return List.copyOf(kept.subList(0, Math.min(topK, kept.size())));
  }

  /**
   * An owner has few episodic facts, so every active one is scored exactly (no index) with both
   * legs in one statement.
   */
  private List<MemoryHit> episodic(MemoryScope scope, float[] vector, String tsquery, Instant now)
      throws SQLException {
    String lexical = tsquery.isEmpty() ? "0" : "ts_rank(tsv, to_tsquery('simple', ?), 1)";
    String sql =
        ("SELECT * FROM (SELECT %1$s,"
                + " CASE WHEN embedding_model = ? THEN 1 - (embedding <=> ?) ELSE 0 END AS dense,"
                + " %2$s AS lexical FROM episodic_facts WHERE %3$s AND valid_to IS NULL"
                + " AND expires_at > ?) f ORDER BY dense + lexical DESC, id LIMIT ?")
            .formatted(EPISODIC_COLUMNS, lexical, scope.ownerSql(""));
    List<MemoryHit> hits = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      int i = 1;
      ps.setString(i++, model);
      ps.setObject(i++, new PGvector(vector));
      if (!tsquery.isEmpty()) {
        ps.setString(i++, tsquery);
      }
      ps.setObject(i++, scope.ownerParam());
      ps.setObject(i++, MemorySql.ts(now));
      ps.setInt(i, options.candidates() * 2);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          hits.add(MemoryHit.read(MemoryTier.EPISODIC, rs));
        }
      }
    }
    return hits;
  }
}
