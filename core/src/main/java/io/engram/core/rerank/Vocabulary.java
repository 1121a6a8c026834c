package io.engram.core.rerank;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Dense integer ids for stemmed terms, so that analyzed passages are {@code int[]} and a query is
 * matched against them without string comparisons. Grows as passages are analyzed, up to {@code
 * capacity} terms; past that, new terms are {@link #UNKNOWN} (they still count as terms of a
 * passage but never match a query term). Thread-safe.
 */
final class Vocabulary {
  /** The id of a term the vocabulary had no room for. */
  static final int UNKNOWN = -1;

  private final ConcurrentHashMap<String, Integer> ids = new ConcurrentHashMap<>();
  private final AtomicInteger next = new AtomicInteger();
  private final int capacity;

  Vocabulary(int capacity) {
    this.capacity = capacity;
  }

  /** The id of {@code term}, assigning one if there is room. */
  int id(String term) {
    Integer id = ids.get(term);
    if (id != null) {
      return id;
    }
    if (ids.size() >= capacity) {
      return UNKNOWN;
    }
    return ids.computeIfAbsent(term, t -> next.getAndIncrement());
  }

  /** The id of {@code term} if it has one, else {@link #UNKNOWN}; never assigns. */
  int lookup(String term) {
    return ids.getOrDefault(term, UNKNOWN);
  }

  int size() {
    return ids.size();
  }
}
