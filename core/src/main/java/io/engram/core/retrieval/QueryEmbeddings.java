package io.engram.core.retrieval;

import dev.langchain4j.model.embedding.EmbeddingModel;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded least-recently-used cache of query embeddings per model. Embedding the query is the
 * largest single cost of a query on two cores; repeated questions (retries, dashboards, popular
 * queries) skip it.
 */
public final class QueryEmbeddings {
  private final int capacity;
  private final Map<String, float[]> cache;
  private final AtomicLong hits = new AtomicLong();
  private final AtomicLong misses = new AtomicLong();

  public QueryEmbeddings(int capacity) {
    if (capacity < 0) {
      throw new IllegalArgumentException("capacity must not be negative");
    }
    this.capacity = capacity;
    this.cache =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, float[]> eldest) {
            return size() > QueryEmbeddings.this.capacity;
          }
        };
  }

  /** The embedding of {@code query} by {@code model}, computed at most once while cached. */
  public float[] embed(String modelName, EmbeddingModel model, String query) {
    String key = modelName + '\n' + query;
    synchronized (cache) {
      float[] cached = cache.get(key);
      if (cached != null) {
        hits.incrementAndGet();
        return cached;
      }
    }
    misses.incrementAndGet();
    float[] vector = model.embed(query).content().vector();
    if (capacity > 0) {
      synchronized (cache) {
        cache.put(key, vector);
      }
    }
    return vector;
  }

  public long hits() {
    return hits.get();
  }

  public long misses() {
    return misses.get();
  }

  public int size() {
    synchronized (cache) {
      return cache.size();
    }
  }
}
