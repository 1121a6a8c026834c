package io.engram.core.store;

import com.pgvector.PGvector;
import io.engram.core.db.BatchedChange;
import io.engram.core.index.IndexVersion;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * Chunks and their vectors ({@code chunks}) in PostgreSQL + pgvector, one partial HNSW index per
 * index version. Written on SQL rather than langchain4j's {@code PgVectorEmbeddingStore} because
 * chunks belong to documents and index versions and carry a full-text vector, which that store's
 * single-table layout cannot express.
 */
public final class PgVectorChunkStore {

  /**
   * The HNSW search settings every pooled session starts with. The default {@code ef_search} (40)
   * silently caps a search's result size; 100 covers the query path's candidates (100 by default)
   * and any top k the API allows, so those searches need no settings of their own. Iterative scan
   * keeps the collection filter from starving a result when a collection is a small part of the
   * index. pgvector reads these placeholders when it loads in the session.
   */
  public static final String SESSION_SETTINGS =
      "SET hnsw.ef_search = "
          + SessionSearch.EF_SEARCH
          + "; SET hnsw.iterative_scan = relaxed_order";

  /** What {@link #SESSION_SETTINGS} gives every session. */
  static final class SessionSearch {
    static final int EF_SEARCH = 100;

    private SessionSearch() {}
  }

  /** One hit of a dense search. */
  public record ChunkHit(
      long chunkId, long documentId, String source, String title, String text, double score) {}

  /** Both searches select (chunk id, document id, source, title, text, score) in this order. */
  private static final RowMapper<ChunkHit> HIT =
      (rs, ctx) ->
          new ChunkHit(
              rs.getLong(1),
              rs.getLong(2),
              rs.getString(3),
              rs.getString(4),
              rs.getString(5),
              rs.getDouble(6));

  private final Jdbi jdbi;
  private final Lexicon lexicon;

  public PgVectorChunkStore(Jdbi jdbi) {
    this.jdbi = jdbi;
    this.lexicon = new Lexicon(this::lexemeStatistics, Clock.systemUTC());
  }

  /** The in-memory lexeme statistics the lexical leg prunes with (drift features read them too). */
  public Lexicon lexicon() {
    return lexicon;
  }

  /**
   * Replaces a document's chunks in one index version, inside the caller's transaction: readers see
   * the old chunks or the new ones, never both and never neither.
   */
  public static void replaceChunks(
      Handle h, long documentId, int indexVersionId, List<String> texts, List<float[]> vectors) {
    h.createUpdate(
            "DELETE FROM chunks WHERE document_id = :document AND index_version_id = :version")
        .bind("document", documentId)
        .bind("version", indexVersionId)
        .execute();
    PreparedBatch insert =
        h.prepareBatch(
            "INSERT INTO chunks (document_id, index_version_id, ordinal, text, embedding)"
                + " VALUES (:document, :version, :ordinal, :text, :embedding)");
    for (int i = 0; i < texts.size(); i++) {
      insert
          .bind("document", documentId)
          .bind("version", indexVersionId)
          .bind("ordinal", i)
          .bind("text", texts.get(i))
          .bind("embedding", new PGvector(vectors.get(i)))
          .add();
    }
    insert.execute();
  }

  /** Deletes the chunks of {@code collection} in index version {@code indexVersionId}. */
  public static int deleteOfIndex(Handle h, String collection, int indexVersionId) {
    return h.createUpdate(
            "DELETE FROM chunks WHERE collection = :collection AND index_version_id = :version")
        .bind("collection", collection)
        .bind("version", indexVersionId)
        .execute();
  }

  /** How many chunks of {@code collection} index version {@code indexVersionId} holds. */
  public long count(String collection, int indexVersionId) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT count(*) FROM chunks WHERE collection = :collection"
                        + " AND index_version_id = :version")
                .bind("collection", collection)
                .bind("version", indexVersionId)
                .mapTo(Long.class)
                .one());
  }

  /** How many chunks of the document index version {@code indexVersionId} holds. */
  public static int countOfDocument(Handle h, long documentId, int indexVersionId) {
    return h.createQuery(
            "SELECT count(*) FROM chunks WHERE document_id = :document"
                + " AND index_version_id = :version")
        .bind("document", documentId)
        .bind("version", indexVersionId)
        .mapTo(Integer.class)
        .one();
  }

  /**
   * Deletes every chunk of the documents {@code documentIds}, in every index version; returns how
   * many.
   */
  public static int deleteOfDocuments(Handle h, List<Long> documentIds) {
    return h.createUpdate("DELETE FROM chunks WHERE document_id = ANY (:ids)")
        .bindArray("ids", Long.class, documentIds)
        .execute();
  }

  /**
   * The {@code k} chunks of a collection nearest to {@code query} by cosine similarity. The index
   * version id and dimension are written into the SQL (they are integers from the database) so the
   * planner matches the version's partial HNSW index. The scan filters on the chunk's own {@code
   * collection} and documents are joined only for the {@code k} rows returned.
   */
  public List<ChunkHit> nearest(IndexVersion version, String collection, float[] query, int k) {
    String vectorType = version.vectorType();
    String sql =
        ("SELECT r.id, r.document_id, COALESCE(d.external_id, d.source_uri), d.title, r.text,"
                + " r.score FROM (SELECT c.id, c.document_id, c.text,"
                + " 1 - (c.embedding::%1$s <=> :query::%1$s) AS score FROM chunks c"
                + " WHERE c.index_version_id = %2$d AND c.collection = :collection"
                + " ORDER BY c.embedding::%1$s <=> :query::%1$s LIMIT :k) r"
                + " JOIN documents d ON d.id = r.document_id ORDER BY r.score DESC, r.id")
            .formatted(vectorType, version.id());
    PGvector vector = new PGvector(query);
    if (k <= SessionSearch.EF_SEARCH) {
      // One round trip: the session's settings already allow k results.
      return jdbi.withHandle(h -> search(h, sql, vector, collection, k));
    }
    return jdbi.inTransaction(
        h -> {
          // A deeper search than the session's settings allow: raised for this transaction only.
          h.createUpdate("SELECT set_config('hnsw.ef_search', :efSearch, true)")
              .bind("efSearch", Integer.toString(k))
              .execute();
          return search(h, sql, vector, collection, k);
        });
  }

  private static List<ChunkHit> search(
      Handle h, String sql, PGvector vector, String collection, int k) {
    return h.createQuery(sql)
        .bind("query", vector)
        .bind("collection", collection)
        .bind("k", k)
        .map(HIT)
        .collectIntoList();
  }

  /**
   * The {@code k} chunks of a collection that best match the query's words by full text. The
   * query's lexemes are OR-ed: question-like queries rarely contain every term of a passage, and an
   * AND (as {@code plainto_tsquery} builds) returns nothing for most of them. Lexemes found in more
   * than {@code maxLexemeShare} of the collection's chunks are dropped first (see {@link Lexicon}).
   * Ranked by {@code ts_rank} with length normalization 1.
   */
  public List<ChunkHit> lexical(
      IndexVersion version, String collection, String query, int k, double maxLexemeShare) {
    return jdbi.withHandle(
        h -> {
          List<String> lexemes =
              h.createQuery("SELECT unnest(tsvector_to_array(to_tsvector('english', :text)))")
                  .bind("text", query)
                  .mapTo(String.class)
                  .list();
          if (lexemes.isEmpty()) {
            return List.of();
          }
          List<String> selective =
              lexicon.selective(version.id(), collection, lexemes, maxLexemeShare);
          String tsquery =
              String.join(
                  " | ",
                  selective.stream()
                      .map(l -> "'" + l.replace("\\", "\\\\").replace("'", "''") + "'")
                      .toList());
          String sql =
              // Ranks the chunks first and joins documents only for the k rows kept: joining
              // before ranking hashed every document of the collection on every query.
              ("SELECT r.id, r.document_id, COALESCE(d.external_id, d.source_uri), d.title,"
                      + " r.text, r.score FROM (SELECT c.id, c.document_id, c.text,"
                      + " ts_rank(c.tsv, q, 1) AS score FROM to_tsquery('simple', :tsquery) q,"
                      + " chunks c WHERE c.tsv @@ q AND c.index_version_id = %d"
                      + " AND c.collection = :collection ORDER BY score DESC, c.id LIMIT :k) r"
                      + " JOIN documents d ON d.id = r.document_id ORDER BY r.score DESC, r.id")
                  .formatted(version.id());
          return h.createQuery(sql)
              .bind("tsquery", tsquery)
              .bind("collection", collection)
              .bind("k", k)
              .map(HIT)
              .collectIntoList();
        });
  }

  /**
   * The texts of the first {@code limit} chunks index version {@code indexVersionId} holds of the
   * document, in order.
   */
  public static List<String> texts(Handle h, long documentId, int indexVersionId, int limit) {
    return h.createQuery(
            "SELECT text FROM chunks WHERE document_id = :document AND index_version_id = :version"
                + " ORDER BY ordinal LIMIT :limit")
        .bind("document", documentId)
        .bind("version", indexVersionId)
        .bind("limit", limit)
        .mapTo(String.class)
        .list();
  }

  /** A stored chunk with its vector. */
  public record Embedded(long chunkId, String text, float[] embedding) {}

  /** The first chunk (ordinal 0) index version {@code indexVersionId} holds of the document. */
  public Optional<Embedded> first(long documentId, int indexVersionId) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT id, text, embedding::text FROM chunks WHERE document_id = :document"
                        + " AND index_version_id = :version AND ordinal = 0")
                .bind("document", documentId)
                .bind("version", indexVersionId)
                .map(
                    (rs, ctx) ->
                        new Embedded(
                            rs.getLong(1),
                            rs.getString(2),
                            new PGvector(rs.getString(3)).toArray()))
                .findOne());
  }

  /** A stored chunk and the collection it belongs to. */
  public record StoredChunk(String collection, ChunkHit chunk) {}

  /**
   * Up to {@code limit} chunks of an index version with ids above {@code afterId}, in id order
   * (score 0): a page of a walk over every chunk, which the query path's warm-up takes.
   */
  public List<StoredChunk> page(int indexVersionId, long afterId, int limit) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT c.id, c.document_id, COALESCE(d.external_id, d.source_uri), d.title,"
                        + " c.text, 0, c.collection FROM chunks c JOIN documents d ON d.id ="
                        + " c.document_id WHERE c.index_version_id = :version AND c.id > :after"
                        + " ORDER BY c.id LIMIT :limit")
                .bind("version", indexVersionId)
                .bind("after", afterId)
                .bind("limit", limit)
                .map((rs, ctx) -> new StoredChunk(rs.getString(7), HIT.map(rs, ctx)))
                .list());
  }

  /**
   * A deterministic spread of an index version's stored chunks (every n-th by id), so a sample
   * mirrors the corpus.
   */
  public List<String> sample(int indexVersionId, int limit) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT text FROM (SELECT text, row_number() OVER (ORDER BY id) AS n,"
                        + " count(*) OVER () AS total FROM chunks WHERE index_version_id = :version) t"
                        + " WHERE n % GREATEST(1, total / :limit) = 0 LIMIT :limit")
                .bind("version", indexVersionId)
                .bind("limit", limit)
                .mapTo(String.class)
                .list());
  }

  /**
   * How many of a collection's chunks in an index version contain each lexeme ({@code ts_stat}),
   * and how many chunks it has there.
   */
  Lexicon.Statistics lexemeStatistics(int indexVersionId, String collection) {
    return jdbi.withHandle(
        h -> {
          // ts_stat takes its query as text: format's %L quotes the collection as a literal.
          Map<String, Integer> documentFrequency =
              h.createQuery(
                      "SELECT word, ndoc FROM ts_stat(format('SELECT tsv FROM chunks WHERE"
                          + " index_version_id = %s AND collection = %L', :version, :collection))")
                  .bind("version", indexVersionId)
                  .bind("collection", collection)
                  .setFetchSize(10_000)
                  .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getInt(2)))
                  .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
          int chunks =
              h.createQuery(
                      "SELECT count(*) FROM chunks WHERE index_version_id = :version"
                          + " AND collection = :collection")
                  .bind("version", indexVersionId)
                  .bind("collection", collection)
                  .mapTo(Integer.class)
                  .one();
          return new Lexicon.Statistics(documentFrequency, chunks);
        });
  }

  /**
   * Deletes a collection's rows of {@code chunks} ({@link
   * io.engram.core.collection.CollectionDeletion}). Found through the collection's documents, whose
   * chunks the (document, index version, ordinal) key indexes.
   */
  public static final BatchedChange<String> DELETE_OF_COLLECTION =
      BatchedChange.deleteOfCollection(
          "chunks",
          "id",
          "SELECT c.id FROM documents d JOIN chunks c ON c.document_id = d.id"
              + " WHERE d.collection = :key");
}
