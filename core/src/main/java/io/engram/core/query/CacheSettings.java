package io.engram.core.query;

import java.time.Duration;

/**
 * Sizes of the query path's caches. Both are bounded so a flood of distinct queries cannot grow the
 * heap.
 *
 * @param responses most cached responses of sessionless queries; 0 turns the response cache off
 * @param responseTtl how long a response is served from the cache; new documents and feedback show
 *     up in answers after at most this long
 * @param queryEmbeddings most cached query embeddings (about 1.5 KB each at 384 dimensions)
 */
public record CacheSettings(int responses, Duration responseTtl, int queryEmbeddings) {
  public CacheSettings {
    if (responses < 0 || queryEmbeddings < 0) {
      throw new IllegalArgumentException("cache sizes must not be negative");
    }
    if (responseTtl == null || responseTtl.isNegative() || responseTtl.isZero()) {
      throw new IllegalArgumentException("the response TTL must be positive");
    }
  }
}
