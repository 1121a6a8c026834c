package io.engram.api.query;

import io.engram.core.retrieval.QueryEmbeddings;
import io.engram.core.retrieval.ResponseCache;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/** Hit and miss counters and sizes of the query path's caches, exported on /prometheus. */
public final class QueryMetrics implements MeterBinder {
  public static final String CACHE_HITS = "engram.query.cache.hits";
  public static final String CACHE_MISSES = "engram.query.cache.misses";
  public static final String CACHE_SIZE = "engram.query.cache.size";
  public static final String TAG_CACHE = "cache";

  private final QueryEmbeddings embeddings;
  private final ResponseCache<?> responses;

  public QueryMetrics(QueryEmbeddings embeddings, ResponseCache<?> responses) {
    this.embeddings = embeddings;
    this.responses = responses;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    FunctionCounter.builder(CACHE_HITS, embeddings, QueryEmbeddings::hits)
        .tag(TAG_CACHE, "query-embedding")
        .register(registry);
    FunctionCounter.builder(CACHE_MISSES, embeddings, QueryEmbeddings::misses)
        .tag(TAG_CACHE, "query-embedding")
        .register(registry);
    Gauge.builder(CACHE_SIZE, embeddings, QueryEmbeddings::size)
        .tag(TAG_CACHE, "query-embedding")
        .register(registry);
    FunctionCounter.builder(CACHE_HITS, responses, ResponseCache::hits)
        .tag(TAG_CACHE, "response")
        .register(registry);
    FunctionCounter.builder(CACHE_MISSES, responses, ResponseCache::misses)
        .tag(TAG_CACHE, "response")
        .register(registry);
    Gauge.builder(CACHE_SIZE, responses, ResponseCache::size)
        .tag(TAG_CACHE, "response")
        .register(registry);
  }
}
