package io.engram.core.query;

import io.engram.core.index.IndexVersion;
import io.engram.core.rerank.RerankerSettings;
import io.engram.core.retrieval.RetrievalSettings;

/**
 * Everything that changes what the query path retrieves: the index version (embedding model and
 * chunking), how it is searched, and the reranker. A {@link QueryPipeline} is built for one, so a
 * model and its index are never mixed up.
 *
 * @param index the index version searched
 * @param retrieval how it is searched
 * @param reranker what reorders the fused candidates (when {@code retrieval.rerank()})
 * @param label the registered version's label ({@code <collection>/v<N>}); null for a bundle that
 *     is not registered (the configured default, or an index version named by itself)
 */
public record ModelVersion(
    IndexVersion index, RetrievalSettings retrieval, RerankerSettings reranker, String label) {
  public ModelVersion {
    if (index == null || retrieval == null || reranker == null) {
      throw new IllegalArgumentException("a model version needs an index, retrieval and reranker");
    }
  }
}
