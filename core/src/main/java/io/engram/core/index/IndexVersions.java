package io.engram.core.index;

import io.engram.core.embedding.EmbeddingModels;
import java.util.Optional;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.Query;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads and registers index versions ({@code index_versions}) and owns their per-version HNSW
 * indexes.
 */
public final class IndexVersions {
  private static final Logger log = LoggerFactory.getLogger(IndexVersions.class);
  private static final String SELECT =
      "SELECT id, name, embedding_model, dimension, chunk_size, chunk_overlap, stage"
          + " FROM index_versions WHERE ";
  private static final RowMapper<IndexVersion> ROW =
      (rs, ctx) ->
          new IndexVersion(
              rs.getInt(1),
              rs.getString(2),
              rs.getString(3),
              rs.getInt(4),
              rs.getInt(5),
              rs.getInt(6),
              rs.getString(7));

  private final Jdbi jdbi;

  public IndexVersions(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /**
   * Makes sure a champion exists, creating one for the configured model and chunking when the
   * database has none. An existing champion is kept even if the configuration names another model:
   * changing the champion is a rollout, not a restart.
   */
  public IndexVersion ensureChampion(String model, int chunkSize, int chunkOverlap) {
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

  public Optional<IndexVersion> champion() {
    return one(h -> h.createQuery(SELECT + "stage = 'champion'"));
  }

  /** The index version called {@code name} (the model version named in query and eval results). */
  public Optional<IndexVersion> byName(String name) {
    return one(h -> h.createQuery(SELECT + "name = :name").bind("name", name));
  }

  public Optional<IndexVersion> byId(int id) {
    return one(h -> h.createQuery(SELECT + "id = :id").bind("id", id));
  }

  /**
   * The index version {@code wanted} asks for, from the installation's champion: see {@link
   * #resolve(IndexVersion, IndexParams)}.
   */
  public IndexVersion resolve(IndexParams wanted) {
    return resolve(requireChampion(), wanted);
  }

  /**
   * The index version {@code wanted} asks for, from {@code base} (a collection's serving index, so
   * a collection served from an index a retraining rebuilt gets new documents there): {@code base}
   * itself when the parameters change nothing (or repeat its values), else a candidate beside it
   * with the asked model and chunking and the base's for what they leave out, created on first use
   * with its HNSW index.
   *
   * @throws IllegalArgumentException when the model is unknown (naming the known ones) or the
   *     overlap is not smaller than the chunk size (naming {@code chunkOverlap} and the size it was
   *     compared with)
   */
  public IndexVersion resolve(IndexVersion base, IndexParams wanted) {
    String model = embeddingModel(base, wanted);
    Chunking chunking = Chunking.of(base, wanted.chunkSize(), wanted.chunkOverlap());
    if (model.equals(base.embeddingModel())
        && chunking.size() == base.chunkSize()
        && chunking.overlap() == base.chunkOverlap()) {
      return base;
    }
    IndexVersion candidate = getOrCreate(model, chunking.size(), chunking.overlap(), "candidate");
    ensureHnswIndex(candidate);
    return candidate;
  }

  /**
   * The index version {@code wanted} asks for, for a collection served from index version {@code
   * serving} (empty when no registered version serves it: the installation's champion).
   *
   * @throws IllegalArgumentException as {@link #resolve(IndexVersion, IndexParams)} does
   */
  public IndexVersion resolve(Optional<Integer> serving, IndexParams wanted) {
    return resolve(base(serving), wanted);
  }

  /**
   * Checks {@code wanted} as {@link #resolve(Optional, IndexParams)} would, without creating
   * anything: how an API refuses a request its workflow would fail.
   *
   * @return what {@code wanted} amounts to: its embedding model and chunking, the base's where it
   *     gives none
   * @throws IllegalArgumentException as {@code resolve} does
   */
  public IndexParams check(Optional<Integer> serving, IndexParams wanted) {
    IndexVersion base = base(serving);
    String model = embeddingModel(base, wanted);
    Chunking chunking = Chunking.of(base, wanted.chunkSize(), wanted.chunkOverlap());
    return new IndexParams(model, chunking.size(), chunking.overlap());
  }

  private IndexVersion base(Optional<Integer> serving) {
    return serving.flatMap(this::byId).orElseGet(this::requireChampion);
  }

  private static String embeddingModel(IndexVersion base, IndexParams wanted) {
    String model =
        wanted.embeddingModel() == null ? base.embeddingModel() : wanted.embeddingModel().strip();
    return EmbeddingModels.spec(model).name();
  }

  /**
   * Chunk size and overlap, in characters: what a request gives, the base's for what it leaves out
   * (an overlap no larger than half the chunk size).
   */
  record Chunking(int size, int overlap) {
    static Chunking of(IndexVersion champion, Integer chunkSize, Integer chunkOverlap) {
      int size = chunkSize == null ? champion.chunkSize() : chunkSize;
      int overlap =
          chunkOverlap == null ? Math.min(champion.chunkOverlap(), size / 2) : chunkOverlap;
      if (size < 1 || overlap < 0 || overlap >= size) {
        throw new IllegalArgumentException(
            "chunkOverlap "
                + overlap
                + " must be at least 0 and smaller than the chunk size "
                + size
                + (chunkSize == null ? " (the champion's; give chunkSize to change it)" : ""));
      }
      return new Chunking(size, overlap);
    }
  }

  private IndexVersion requireChampion() {
    return champion()
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "no champion index version; run migrations and start the worker"));
  }

  private IndexVersion getOrCreate(String model, int chunkSize, int chunkOverlap, String stage) {
    int dimension = EmbeddingModels.spec(model).dimension();
    String name = "%s-c%d-o%d".formatted(model, chunkSize, chunkOverlap);
    jdbi.useHandle(
        h ->
            h.createUpdate(
                    "INSERT INTO index_versions (name, embedding_model, dimension, chunk_size,"
                        + " chunk_overlap, stage) VALUES (:name, :model, :dimension, :size,"
                        + " :overlap, :stage) ON CONFLICT DO NOTHING")
                .bind("name", name)
                .bind("model", model)
                .bind("dimension", dimension)
                .bind("size", chunkSize)
                .bind("overlap", chunkOverlap)
                .bind("stage", stage)
                .execute());
    return one(h ->
            h.createQuery(
                    SELECT
                        + "embedding_model = :model AND chunk_size = :size"
                        + " AND chunk_overlap = :overlap")
                .bind("model", model)
                .bind("size", chunkSize)
                .bind("overlap", chunkOverlap))
        .orElseThrow();
  }

  /**
   * Creates the version's partial HNSW index (cosine) if missing. The vector column has no fixed
   * dimension, so the index is on {@code embedding::vector(d)} restricted to the version's rows;
   * queries must use the same cast and predicate (see {@code PgVectorChunkStore#nearest}).
   */
  public void ensureHnswIndex(IndexVersion version) {
    jdbi.useTransaction(
        h -> {
          // API and worker may start together: serialize index creation across processes.
          h.execute("SELECT pg_advisory_xact_lock(727001)");
          h.execute(createHnswIndex(version).replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS"));
        });
  }

  /** The state of an index version's HNSW index in the catalog. */
  public enum HnswIndex {
    /** Present and usable by searches. */
    VALID,
    /** Present but marked invalid (a failed concurrent build): searches ignore it. */
    INVALID,
    /** Absent: every search of the version scans all its chunks. */
    MISSING
  }

  /** Whether {@code version}'s HNSW index exists and searches can use it. */
  public HnswIndex hnswIndex(IndexVersion version) {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass(:name)")
                .bind("name", hnswIndexName(version))
                .mapTo(Boolean.class)
                .findOne()
                .map(valid -> valid ? HnswIndex.VALID : HnswIndex.INVALID)
                .orElse(HnswIndex.MISSING));
  }

  /** The statement that creates {@code version}'s HNSW index, for an operator to run. */
  public static String createHnswIndex(IndexVersion version) {
    return "CREATE INDEX %s ON chunks USING hnsw ((embedding::%s) vector_cosine_ops) WHERE index_version_id = %d"
        .formatted(hnswIndexName(version), version.vectorType(), version.id());
  }

  /** The name of {@code version}'s HNSW index. */
  public static String hnswIndexName(IndexVersion version) {
    return "chunks_embedding_hnsw_iv" + version.id();
  }

  private Optional<IndexVersion> one(Function<Handle, Query> query) {
    return jdbi.withHandle(h -> query.apply(h).map(ROW).findOne());
  }
}
