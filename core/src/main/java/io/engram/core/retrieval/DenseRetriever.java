package io.engram.core.retrieval;

import dev.langchain4j.model.embedding.EmbeddingModel;
import io.engram.core.embedding.EmbeddingModels;
import io.engram.core.index.IndexVersion;
import io.engram.core.index.IndexVersions;
import io.engram.core.store.PgVectorChunkStore;
import io.engram.core.store.PgVectorChunkStore.ChunkHit;
import java.sql.SQLException;
import java.util.List;

/** Dense retrieval over the champion index version: embed the query, cosine top-k. */
public final class DenseRetriever {

  /** The hits and the index version that produced them. */
  public record Result(
      IndexVersion version, List<ChunkHit> hits, double embedMs, double searchMs) {}

  private final IndexVersions indexVersions;
  private final PgVectorChunkStore store;

  public DenseRetriever(IndexVersions indexVersions, PgVectorChunkStore store) {
    this.indexVersions = indexVersions;
    this.store = store;
  }

  public Result retrieve(String collection, String query, int topK) throws SQLException {
    IndexVersion champion =
        indexVersions
            .champion()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "no champion index version yet; start the worker once"));
    EmbeddingModel model = EmbeddingModels.get(champion.embeddingModel());
    long t0 = System.nanoTime();
    float[] vector = model.embed(query).content().vector();
    long t1 = System.nanoTime();
    List<ChunkHit> hits = store.nearest(champion, collection, vector, topK);
    long t2 = System.nanoTime();
    return new Result(champion, hits, (t1 - t0) / 1e6, (t2 - t1) / 1e6);
  }
}
