package io.engram.core.retrieval;

import dev.langchain4j.model.embedding.EmbeddingModel;
import io.engram.core.embedding.EmbeddingModels;
import io.engram.core.index.IndexVersion;
import io.engram.core.index.IndexVersions;
import io.engram.core.rerank.Reranker;
import io.engram.core.retrieval.Candidate.Leg;
import io.engram.core.store.PgVectorChunkStore;
import io.engram.core.store.PgVectorChunkStore.ChunkHit;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;

/**
 * Dense (pgvector HNSW) and lexical (PostgreSQL full text) retrieval over the champion index
 * version, run in parallel and fused by weighted min-max-normalized scores. Score fusion leaning on
 * the dense side beat reciprocal rank fusion on SciFact, where plain RRF let the weaker lexical leg
 * pull good dense hits down.
 */
public final class HybridRetriever {

  /** How the two legs are combined. */
  public enum Mode {
    DENSE,
    HYBRID
  }

  private record LexicalLeg(List<ChunkHit> hits, double millis) {}

  /** The hits, the index version that produced them, the reranker applied, and the timings. */
  public record Result(
      IndexVersion version, List<Candidate> hits, String reranker, Map<String, Double> timings) {

    /** The model version reported to callers: the index version, plus the reranker if any. */
    public String modelVersion() {
      return reranker.equals(Reranker.NONE.name())
          ? version.name()
          : version.name() + "+" + reranker;
    }
  }

  private final IndexVersions indexVersions;
  private final PgVectorChunkStore store;
  private final ExecutorService executor;
  private final QueryEmbeddings queryEmbeddings;
  private final Reranker reranker;

  public HybridRetriever(
      IndexVersions indexVersions,
      PgVectorChunkStore store,
      ExecutorService executor,
      QueryEmbeddings queryEmbeddings) {
    this(indexVersions, store, executor, queryEmbeddings, Reranker.NONE);
  }

  public HybridRetriever(
      IndexVersions indexVersions,
      PgVectorChunkStore store,
      ExecutorService executor,
      QueryEmbeddings queryEmbeddings,
      Reranker reranker) {
    this.indexVersions = indexVersions;
    this.store = store;
    this.executor = executor;
    this.queryEmbeddings = queryEmbeddings;
    this.reranker = reranker;
  }

  /**
   * Retrieves with {@code options}: the named index version (or the champion), both legs in
   * parallel, fusion, then the reranker over the fused candidates when {@code options.rerank()}.
   *
   * @throws IllegalArgumentException when the named index version does not exist
   */
  public Result retrieve(String collection, String query, RetrievalOptions options)
      throws SQLException {
    return retrieve(collection, query, options, true);
  }

  /**
   * As {@link #retrieve(String, String, RetrievalOptions)}; with {@code reuseQueryEmbedding} false
   * the query is embedded afresh even when its embedding is cached (a caller that asked for a fresh
   * answer, or a benchmark that must pay every step).
   */
  public Result retrieve(
      String collection, String query, RetrievalOptions options, boolean reuseQueryEmbedding)
      throws SQLException {
    return retrieve(
        resolve(options.indexVersion()), collection, query, options, reuseQueryEmbedding);
  }

  /**
   * As above, over an index version the caller already resolved (the query path looks the champion
   * up once for its cache key and its retrieval); {@code options.indexVersion()} is not consulted.
   */
  public Result retrieve(
      IndexVersion version,
      String collection,
      String query,
      RetrievalOptions options,
      boolean reuseQueryEmbedding)
      throws SQLException {
    boolean rerank = options.rerank() && reranker != Reranker.NONE;
    Result fused =
        retrieve(
            version,
            collection,
            query,
            // The reranker sees every fused candidate, not just the top k.
            rerank ? Math.max(options.topK(), options.candidates()) : options.topK(),
            options.candidates(),
            options.mode(),
            options.denseWeight(),
            options.maxLexemeShare(),
            reuseQueryEmbedding);
    if (!rerank) {
      return fused;
    }
    long t0 = System.nanoTime();
    List<Candidate> reranked = reranker.rerank(query, fused.hits());
    Map<String, Double> timings = new LinkedHashMap<>(fused.timings());
    timings.put("rerankMs", (System.nanoTime() - t0) / 1e6);
    return new Result(
        version,
        reranked.subList(0, Math.min(options.topK(), reranked.size())),
        reranker.name(),
        timings);
  }

  /** The named index version, or the champion when {@code name} is null. */
  public IndexVersion resolve(String name) throws SQLException {
    if (name == null) {
      return indexVersions
          .champion()
          .orElseThrow(
              () -> new IllegalStateException("no champion index version yet; start the worker"));
    }
    return indexVersions
        .byName(name)
        .orElseThrow(() -> new IllegalArgumentException("no index version named '" + name + "'"));
  }

  /**
   * Retrieves {@code topK} chunks, fusing {@code candidates} from each leg.
   *
   * @param denseWeight weight of the dense leg in [0, 1]; the lexical leg gets the rest
   * @param maxLexemeShare the lexical leg ignores lexemes found in a larger share of the chunks
   */
  public Result retrieve(
      String collection,
      String query,
      int topK,
      int candidates,
      Mode mode,
      double denseWeight,
      double maxLexemeShare)
      throws SQLException {
    return retrieve(
        resolve(null),
        collection,
        query,
        topK,
        candidates,
        mode,
        denseWeight,
        maxLexemeShare,
        true);
  }

  private Result retrieve(
      IndexVersion champion,
      String collection,
      String query,
      int topK,
      int candidates,
      Mode mode,
      double denseWeight,
      double maxLexemeShare,
      boolean reuseQueryEmbedding)
      throws SQLException {
    int depth = Math.max(topK, candidates);
    long t0 = System.nanoTime();
    // The lexical leg reports its own duration, so no map is shared between the two threads.
    CompletableFuture<LexicalLeg> lexical =
        mode == Mode.HYBRID
            ? CompletableFuture.supplyAsync(
                () -> {
                  long start = System.nanoTime();
                  try {
                    List<ChunkHit> hits =
                        store.lexical(champion, collection, query, depth, maxLexemeShare);
                    return new LexicalLeg(hits, (System.nanoTime() - start) / 1e6);
                  } catch (SQLException e) {
                    throw new CompletionException(e);
                  }
                },
                executor)
            : CompletableFuture.completedFuture(null);
    EmbeddingModel model = EmbeddingModels.get(champion.embeddingModel());
    float[] vector =
        reuseQueryEmbedding
            ? queryEmbeddings.embed(champion.embeddingModel(), model, query)
            : model.embed(query).content().vector();
    long t1 = System.nanoTime();
    List<ChunkHit> dense = store.nearest(champion, collection, vector, depth);
    long t2 = System.nanoTime();
    LexicalLeg lexicalLeg;
    try {
      lexicalLeg = lexical.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof SQLException sql) {
        throw sql;
      }
      throw e;
    }
    long t3 = System.nanoTime();
    List<Candidate> fused =
        lexicalLeg == null
            ? fuse(dense, List.of(), 1.0)
            : fuse(dense, lexicalLeg.hits(), denseWeight);
    Map<String, Double> timings = new LinkedHashMap<>();
    if (lexicalLeg != null) {
      timings.put("lexicalMs", lexicalLeg.millis());
    }
    timings.put("embedMs", (t1 - t0) / 1e6);
    timings.put("denseMs", (t2 - t1) / 1e6);
    timings.put("fuseMs", (System.nanoTime() - t3) / 1e6);
    return new Result(
        champion, fused.subList(0, Math.min(topK, fused.size())), Reranker.NONE.name(), timings);
  }

  /** Weighted sum of min-max-normalized scores over the union of both legs' candidates. */
  static List<Candidate> fuse(List<ChunkHit> dense, List<ChunkHit> lexical, double denseWeight) {
    Map<Long, ChunkHit> chunks = new HashMap<>();
    Map<Long, Leg> denseLeg = normalize(dense, chunks);
    Map<Long, Leg> lexicalLeg = normalize(lexical, chunks);
    List<Candidate> hits = new ArrayList<>(chunks.size());
    for (Map.Entry<Long, ChunkHit> e : chunks.entrySet()) {
      Leg d = denseLeg.getOrDefault(e.getKey(), Leg.ABSENT);
      Leg l = lexicalLeg.getOrDefault(e.getKey(), Leg.ABSENT);
      hits.add(
          new Candidate(
              e.getValue(),
              denseWeight * d.normalized() + (1 - denseWeight) * l.normalized(),
              d,
              l));
    }
    hits.sort(
        Comparator.comparingDouble(Candidate::score)
            .reversed()
            .thenComparingLong(h -> h.chunk().chunkId()));
    return hits;
  }

  private static Map<Long, Leg> normalize(List<ChunkHit> hits, Map<Long, ChunkHit> chunks) {
    Map<Long, Leg> out = new HashMap<>();
    if (hits.isEmpty()) {
      return out;
    }
    double max = hits.stream().mapToDouble(ChunkHit::score).max().orElse(1);
    double min = hits.stream().mapToDouble(ChunkHit::score).min().orElse(0);
    double range = max - min;
    for (int i = 0; i < hits.size(); i++) {
      ChunkHit hit = hits.get(i);
      chunks.putIfAbsent(hit.chunkId(), hit);
      // A single candidate, or all equal: it is the best this leg has.
      double normalized = range <= 0 ? 1.0 : (hit.score() - min) / range;
      out.putIfAbsent(hit.chunkId(), new Leg(normalized, hit.score(), i + 1));
    }
    return out;
  }
}
