package io.engram.api.query;

import io.engram.core.retrieval.QueryEmbeddings;
import io.engram.core.retrieval.ResponseCache;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.function.ToDoubleFunction;

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
    bind(
        registry,
        "query-embedding",
        embeddings,
        QueryEmbeddings::hits,
        QueryEmbeddings::misses,
        QueryEmbeddings::size);
    bind(
        registry,
        "response",
        responses,
        ResponseCache::hits,
        ResponseCache::misses,
        ResponseCache::size);
  }

  /** Hits, misses and size of one cache, tagged with its name. */
  private static <T> void bind(
      MeterRegistry registry,
      String cache,
      T source,
      ToDoubleFunction<T> hits,
      ToDoubleFunction<T> misses,
      ToDoubleFunction<T> size) {
    FunctionCounter.builder(CACHE_HITS, source, hits).tag(TAG_CACHE, cache).register(registry);
    FunctionCounter.builder(CACHE_MISSES, source, misses).tag(TAG_CACHE, cache).register(registry);
    Gauge.builder(CACHE_SIZE, source, size).tag(TAG_CACHE, cache).register(registry);
  }
}
