package io.engram.core.store;

import com.pgvector.PGvector;
import io.engram.core.index.IndexVersion;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Chunks and their vectors in PostgreSQL + pgvector, one partial HNSW index per index version.
 * Written on plain JDBC rather than langchain4j's {@code PgVectorEmbeddingStore} because chunks
 * belong to documents and index versions and carry a full-text vector, which that store's
 * single-table layout cannot express.
 */
public final class PgVectorChunkStore {

  /** One hit of a dense search. */
  public record ChunkHit(
      long chunkId, long documentId, String source, String title, String text, double score) {}

  private final DataSource dataSource;
  private final Lexicon lexicon;

  public PgVectorChunkStore(DataSource dataSource) {
    this.dataSource = dataSource;
    this.lexicon = new Lexicon(dataSource, java.time.Clock.systemUTC());
  }

  /**
   * Replaces a document's chunks in one index version, inside the caller's transaction: readers see
   * the old chunks or the new ones, never both and never neither.
   */
  public static void replaceChunks(
      Connection c, long documentId, int indexVersionId, List<String> texts, List<float[]> vectors)
      throws SQLException {
    try (PreparedStatement delete =
        c.prepareStatement("DELETE FROM chunks WHERE document_id = ? AND index_version_id = ?")) {
      delete.setLong(1, documentId);
      delete.setInt(2, indexVersionId);
      delete.executeUpdate();
    }
    try (PreparedStatement insert =
        c.prepareStatement(
            "INSERT INTO chunks (document_id, index_version_id, ordinal, text, embedding)"
                + " VALUES (?, ?, ?, ?, ?)")) {
      for (int i = 0; i < texts.size(); i++) {
        insert.setLong(1, documentId);
        insert.setInt(2, indexVersionId);
        insert.setInt(3, i);
        insert.setString(4, texts.get(i));
        insert.setObject(5, new PGvector(vectors.get(i)));
        insert.addBatch();
      }
      insert.executeBatch();
    }
  }

  /**
   * The {@code k} chunks of a collection nearest to {@code query} by cosine similarity. The index
   * version id and dimension are written into the SQL (they are integers from the database) so the
   * planner matches the version's partial HNSW index. The scan filters on the chunk's own {@code
   * collection} and documents are joined only for the {@code k} rows returned.
   */
  public List<ChunkHit> nearest(IndexVersion version, String collection, float[] query, int k)
      throws SQLException {
    String vectorType = version.vectorType();
    String sql =
        ("SELECT r.id, r.document_id, COALESCE(d.external_id, d.source_uri), d.title, r.text,"
                + " r.score FROM (SELECT c.id, c.document_id, c.text,"
                + " 1 - (c.embedding::%1$s <=> ?::%1$s) AS score FROM chunks c"
                + " WHERE c.index_version_id = %2$d AND c.collection = ?"
                + " ORDER BY c.embedding::%1$s <=> ?::%1$s LIMIT ?) r"
                + " JOIN documents d ON d.id = r.document_id ORDER BY r.score DESC, r.id")
            .formatted(vectorType, version.id());
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement settings =
          c.prepareStatement(
              "SELECT set_config('hnsw.ef_search', ?, true),"
                  + " set_config('hnsw.iterative_scan', 'relaxed_order', true)")) {
        // The default ef_search (40) silently caps the result size; iterative scan keeps the
        // collection filter from starving the result when a collection is a small part of the
        // index. Both are transaction-local (SET LOCAL), set in one round trip.
        settings.setString(1, Integer.toString(Math.max(40, k)));
        settings.execute();
      }
      List<ChunkHit> hits = new ArrayList<>(k);
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        PGvector vector = new PGvector(query);
        ps.setObject(1, vector);
        ps.setString(2, collection);
        ps.setObject(3, vector);
        ps.setInt(4, k);
        try (ResultSet rs = ps.executeQuery()) {
          readHits(rs, hits);
        }
      }
      c.commit();
      return hits;
    }
  }

  /**
   * The {@code k} chunks of a collection that best match the query's words by full text. The
   * query's lexemes are OR-ed: question-like queries rarely contain every term of a passage, and an
   * AND (as {@code plainto_tsquery} builds) returns nothing for most of them. Lexemes found in more
   * than {@code maxLexemeShare} of the chunks are dropped first (see {@link Lexicon}). Ranked by
   * {@code ts_rank} with length normalization 1.
   */
  public List<ChunkHit> lexical(
      IndexVersion version, String collection, String query, int k, double maxLexemeShare)
      throws SQLException {
    List<String> lexemes = new ArrayList<>();
    try (Connection c = dataSource.getConnection()) {
      try (PreparedStatement ps =
          c.prepareStatement("SELECT unnest(tsvector_to_array(to_tsvector('english', ?)))")) {
        ps.setString(1, query);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            lexemes.add(rs.getString(1));
          }
        }
      }
      if (lexemes.isEmpty()) {
        return List.of();
      }
      List<String> selective = lexicon.selective(version.id(), lexemes, maxLexemeShare);
      String tsquery =
          String.join(
              " | ",
              selective.stream()
                  .map(l -> "'" + l.replace("\\", "\\\\").replace("'", "''") + "'")
                  .toList());
      String sql =
          // Ranks the chunks first and joins documents only for the k rows kept: joining before
          // ranking hashed every document of the collection on every query.
          ("SELECT r.id, r.document_id, COALESCE(d.external_id, d.source_uri), d.title, r.text,"
                  + " r.score FROM (SELECT c.id, c.document_id, c.text,"
                  + " ts_rank(c.tsv, q, 1) AS score FROM to_tsquery('simple', ?) q, chunks c"
                  + " WHERE c.tsv @@ q AND c.index_version_id = %d AND c.collection = ?"
                  + " ORDER BY score DESC, c.id LIMIT ?) r"
                  + " JOIN documents d ON d.id = r.document_id ORDER BY r.score DESC, r.id")
              .formatted(version.id());
      List<ChunkHit> hits = new ArrayList<>(k);
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setString(1, tsquery);
        ps.setString(2, collection);
        ps.setInt(3, k);
        try (ResultSet rs = ps.executeQuery()) {
          readHits(rs, hits);
        }
      }
      return hits;
    }
  }

  /** Both searches select (chunk id, document id, source, title, text, score) in this order. */
  private static void readHits(ResultSet rs, List<ChunkHit> hits) throws SQLException {
    while (rs.next()) {
      hits.add(
          new ChunkHit(
              rs.getLong(1),
              rs.getLong(2),
              rs.getString(3),
              rs.getString(4),
              rs.getString(5),
              rs.getDouble(6)));
    }
  }
}
