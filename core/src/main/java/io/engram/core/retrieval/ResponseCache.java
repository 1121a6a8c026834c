package io.engram.core.retrieval;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A bounded, short-lived least-recently-used cache of whole query responses. The key must name
 * everything the response depends on (model version, collection, normalized query, memory state),
 * so an entry is never wrong, only stale by at most the TTL: new documents show up in answers
 * within that time.
 *
 * @param <V> the cached response
 */
public final class ResponseCache<V> {
  private record Entry<V>(V value, long expiresAt) {}

  private final int capacity;
  private final long ttlNanos;
  private final LongSupplier nanoClock;
  private final Map<String, Entry<V>> entries;
  private final ConcurrentHashMap<String, Long> epochs = new ConcurrentHashMap<>();
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

  /**
   * The epoch of {@code scope} (a collection): part of every key an entry of that scope is cached
   * under, so a response computed before {@link #invalidate} moved it on is put under a key no
   * lookup asks for any more.
   */
  public long epoch(String scope) {
    return epochs.getOrDefault(scope, 0L);
  }

  /**
   * Moves {@code scope}'s epoch on: every entry of the scope, and any response of it being computed
   * meanwhile, is under a key of an older epoch that no lookup asks for any more. They are never
   * served, and age out as other entries do.
   */
  public void invalidate(String scope) {
    epochs.merge(scope, 1L, Long::sum);
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
