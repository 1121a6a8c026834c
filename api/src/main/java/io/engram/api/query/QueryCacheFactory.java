package io.engram.api.query;

import io.engram.core.retrieval.QueryEmbeddings;
import io.engram.core.retrieval.ResponseCache;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;

/** The query path's bounded caches and their metrics. */
@Factory
class QueryCacheFactory {

  @Singleton
  QueryEmbeddings queryEmbeddings(CacheProperties cache) {
    return new QueryEmbeddings(cache.queryEmbeddings());
  }

  @Singleton
  ResponseCache<QueryController.CachedAnswer> responseCache(CacheProperties cache) {
    return new ResponseCache<>(cache.responses(), cache.responseTtl(), System::nanoTime);
  }

  @Singleton
  QueryMetrics queryMetrics(
      QueryEmbeddings embeddings, ResponseCache<QueryController.CachedAnswer> responses) {
    return new QueryMetrics(embeddings, responses);
  }
}
