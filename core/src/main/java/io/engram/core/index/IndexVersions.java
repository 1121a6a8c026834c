package io.engram.core.index;

import io.engram.core.embedding.EmbeddingModels;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads and registers index versions and owns their per-version HNSW indexes. */
public final class IndexVersions {
  private static final Logger log = LoggerFactory.getLogger(IndexVersions.class);
  private static final String COLUMNS =
      "id, name, embedding_model, dimension, chunk_size, chunk_overlap, stage";

  private final DataSource dataSource;

  public IndexVersions(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * Makes sure a champion exists, creating one for the configured model and chunking when the
   * database has none. An existing champion is kept even if the configuration names another model:
   * changing the champion is a rollout, not a restart.
   */
  public IndexVersion ensureChampion(String model, int chunkSize, int chunkOverlap)
      throws SQLException {
    Optional<IndexVersion> existing = champion();
    if (existing.isPresent()) {
      IndexVersion champion = existing.get();
      if (!champion.embeddingModel().equals(model)) {
        log.warn(
            "configured embedding model {} differs from the champion index version {} ({}); the champion stays",
            model,
            champion.name(),
            champion.embeddingModel());
      }
      ensureHnswIndex(champion);
      return champion;
    }
    IndexVersion created = getOrCreate(model, chunkSize, chunkOverlap, "champion");
    ensureHnswIndex(created);
    return created;
  }

  public Optional<IndexVersion> champion() throws SQLException {
    return queryOne("SELECT " + COLUMNS + " FROM index_versions WHERE stage = 'champion'");
  }

  /** The index version called {@code name} (the model version named in query and eval results). */
  public Optional<IndexVersion> byName(String name) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement("SELECT " + COLUMNS + " FROM index_versions WHERE name = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(map(rs)) : Optional.empty();
      }
    }
  }

  public Optional<IndexVersion> byId(int id) throws SQLException {
    return queryOne("SELECT " + COLUMNS + " FROM index_versions WHERE id = " + id);
  }

  /**
   * The index version for a request's chunking: the champion when the request does not override
   * chunking (or overrides it with the champion's values), else a candidate with the champion's
   * model and the requested chunking, created on first use.
   */
  public IndexVersion forChunking(Integer chunkSize, Integer chunkOverlap) throws SQLException {
    IndexVersion champion =
        champion()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "no champion index version; run migrations and start the worker"));
    int size = chunkSize == null ? champion.chunkSize() : chunkSize;
    int overlap = chunkOverlap == null ? Math.min(champion.chunkOverlap(), size / 2) : chunkOverlap;
    if (size == champion.chunkSize() && overlap == champion.chunkOverlap()) {
      return champion;
    }
    IndexVersion candidate = getOrCreate(champion.embeddingModel(), size, overlap, "candidate");
    ensureHnswIndex(candidate);
    return candidate;
  }

  private IndexVersion getOrCreate(String model, int chunkSize, int chunkOverlap, String stage)
      throws SQLException {
    int dimension = EmbeddingModels.spec(model).dimension();
    String name = "%s-c%d-o%d".formatted(model, chunkSize, chunkOverlap);
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO index_versions (name, embedding_model, dimension, chunk_size, chunk_overlap, stage)"
                    + " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
      ps.setString(1, name);
      ps.setString(2, model);
      ps.setInt(3, dimension);
      ps.setInt(4, chunkSize);
      ps.setInt(5, chunkOverlap);
      ps.setString(6, stage);
      ps.executeUpdate();
    }
    return queryOne(
            "SELECT "
                + COLUMNS
                + " FROM index_versions WHERE embedding_model = '"
                + model.replace("'", "''")
                + "' AND chunk_size = "
                + chunkSize
                + " AND chunk_overlap = "
                + chunkOverlap)
        .orElseThrow();
  }

  /**
   * Creates the version's partial HNSW index (cosine) if missing. The vector column has no fixed
   * dimension, so the index is on {@code embedding::vector(d)} restricted to the version's rows;
   * queries must use the same cast and predicate (see {@code DenseRetriever}).
   */
  public void ensureHnswIndex(IndexVersion version) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        // API and worker may start together: serialize index creation across processes.
        st.execute("SELECT pg_advisory_xact_lock(727001)");
        st.execute(
            "CREATE INDEX IF NOT EXISTS chunks_embedding_hnsw_iv%d ON chunks USING hnsw ((embedding::%s) vector_cosine_ops) WHERE index_version_id = %d"
                .formatted(version.id(), version.vectorType(), version.id()));
      }
      c.commit();
    }
  }

  private Optional<IndexVersion> queryOne(String sql) throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      return rs.next() ? Optional.of(map(rs)) : Optional.empty();
    }
  }

  private static IndexVersion map(ResultSet rs) throws SQLException {
    return new IndexVersion(
        rs.getInt(1),
        rs.getString(2),
        rs.getString(3),
        rs.getInt(4),
        rs.getInt(5),
        rs.getInt(6),
        rs.getString(7));
  }
}
