package io.engram.core.retrieval;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A bounded, short-lived least-recently-used cache of whole query responses. The key must name
 * everything the response depends on (model version, collection and its generation, normalized
 * query, memory state): a change to the collection's documents moves its generation on, and the
 * entries of the old one are never asked for again and age out. What the key does not name (the
 * lexical statistics, refreshed every few minutes) may differ for at most the TTL.
 *
 * @param <V> the cached response
 */
public final class ResponseCache<V> {
  private record Entry<V>(V value, long expiresAt) {}

  private final int capacity;
  private final long ttlNanos;
  private final LongSupplier nanoClock;
  private final Map<String, Entry<V>> entries;
  private final AtomicLong hits = new AtomicLong();
  private final AtomicLong misses = new AtomicLong();

  public ResponseCache(int capacity, java.time.Duration ttl, LongSupplier nanoClock) {
    if (capacity < 0) {
      throw new IllegalArgumentException("capacity must not be negative");
    }
    this.capacity = capacity;
    this.ttlNanos = ttl.toNanos();
    this.nanoClock = nanoClock;
    this.entries =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Entry<V>> eldest) {
            return size() > ResponseCache.this.capacity;
          }
        };
  }

  /** Whether the cache stores anything at all (capacity and TTL both positive). */
  public boolean enabled() {
    return capacity > 0 && ttlNanos > 0;
  }

  public Optional<V> get(String key) {
    if (!enabled()) {
      return Optional.empty();
    }
    synchronized (entries) {
      Entry<V> entry = entries.get(key);
      if (entry != null && entry.expiresAt() - nanoClock.getAsLong() > 0) {
        hits.incrementAndGet();
        return Optional.of(entry.value());
      }
      if (entry != null) {
        entries.remove(key);
      }
    }
    misses.incrementAndGet();
    return Optional.empty();
  }

  public void put(String key, V value) {
    if (!enabled()) {
      return;
    }
    synchronized (entries) {
      entries.put(key, new Entry<>(value, nanoClock.getAsLong() + ttlNanos));
    }
  }

  /**
   * The query as the cache sees it: case, surrounding and repeated whitespace and trailing
   * punctuation do not make a different question.
   */
  public static String normalize(String query) {
    return query
        .toLowerCase(java.util.Locale.ROOT)
        .replaceAll("\\s+", " ")
        .strip()
        .replaceAll("[\\s?!.]+$", "");
  }

  public long hits() {
    return hits.get();
  }

  public long misses() {
    return misses.get();
  }

  public int size() {
    synchronized (entries) {
      return entries.size();
    }
  }
}
