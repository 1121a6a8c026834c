package io.engram.core.store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many chunks of a collection in an index version contain each lexeme ({@code ts_stat}), kept
 * in memory and refreshed after {@link #MAX_AGE}. The lexical leg uses it to drop lexemes that
 * occur in a large share of the collection's chunks: they add little to the ranking but make
 * PostgreSQL rank thousands of rows. The statistics are the collection's own: one index version
 * holds every collection of every tenant, and another collection's words must change neither which
 * lexemes a query keeps nor its drift features.
 *
 * <p>Only the first use of a collection's statistics waits for them, and concurrent first uses wait
 * for one load. Later, stale statistics keep being served while one background thread reloads them:
 * {@code ts_stat} reads every chunk's vector (about half a second at 20 000 chunks, growing with
 * the corpus), which would otherwise stall one query every {@link #MAX_AGE}. Document frequencies
 * drift slowly, so a few seconds of staleness changes which lexemes are pruned only at the margin.
 * Statistics nobody asked for within {@link #IDLE} (an archived version, a deleted collection) are
 * dropped.
 */
public final class Lexicon {
  private static final Logger log = LoggerFactory.getLogger(Lexicon.class);

  static final Duration MAX_AGE = Duration.ofMinutes(10);

  /** Statistics unused this long are dropped from memory (read again on their next use). */
  static final Duration IDLE = Duration.ofHours(1);

  /** How many chunks contain each lexeme, and how many chunks there are. */
  record Statistics(Map<String, Integer> documentFrequency, int chunks) {}

  /** Reads a collection's statistics in an index version from the chunks. */
  @FunctionalInterface
  interface Loader {
    Statistics load(int indexVersionId, String collection);
  }

  private record Key(int indexVersionId, String collection) {}

  private record Stats(Map<String, Integer> documentFrequency, int chunks, Instant loadedAt) {}

  /** Statistics and when they were last asked for. */
  private static final class Entry {
    volatile Stats stats;
    volatile Instant lastUsed;

    Entry(Stats stats, Instant lastUsed) {
      this.stats = stats;
      this.lastUsed = lastUsed;
    }
  }

  private final Loader loader;
  private final Clock clock;
  private final Executor refresher;
  private final Map<Key, Entry> entries = new ConcurrentHashMap<>();
  private final Map<Key, CompletableFuture<Entry>> firstLoads = new ConcurrentHashMap<>();
  private final Set<Key> refreshing = ConcurrentHashMap.newKeySet();

  /**
   * @param loader reads statistics from the chunks (see {@link PgVectorChunkStore}, their owner)
   */
  Lexicon(Loader loader, Clock clock) {
    this(loader, clock, Lexicon::refreshOnDaemonThread);
  }

  /** With the executor that reloads stale statistics (tests pass a direct or manual one). */
  Lexicon(Loader loader, Clock clock, Executor refresher) {
    this.loader = loader;
    this.clock = clock;
    this.refresher = refresher;
  }

  private static void refreshOnDaemonThread(Runnable reload) {
    Thread thread = new Thread(reload, "lexicon-refresh");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * The lexemes worth searching for: those in at most {@code maxShare} of the collection's chunks,
   * or the rarest one when all are common (so a query of common words still finds something).
   */
  public List<String> selective(
      int indexVersionId, String collection, List<String> lexemes, double maxShare) {
    if (lexemes.isEmpty()) {
      return lexemes;
    }
    Stats stats = stats(new Key(indexVersionId, collection));
    double limit = Math.max(1, maxShare * stats.chunks());
    List<String> kept = new ArrayList<>();
    for (String lexeme : lexemes) {
      if (stats.documentFrequency().getOrDefault(lexeme, 0) <= limit) {
        kept.add(lexeme);
      }
    }
    if (kept.isEmpty()) {
      kept.add(
          lexemes.stream()
              .min(Comparator.comparingInt(l -> stats.documentFrequency().getOrDefault(l, 0)))
              .orElseThrow());
    }
    return kept;
  }

  /**
   * The share of {@code lexemes} that no chunk of the collection contains (0 for none), read from
   * the same statistics as {@link #selective}: in memory once the collection has been searched.
   */
  public double unknownShare(int indexVersionId, String collection, List<String> lexemes) {
    if (lexemes.isEmpty()) {
      return 0;
    }
    Map<String, Integer> documentFrequency =
        stats(new Key(indexVersionId, collection)).documentFrequency();
    int unknown = 0;
    for (String lexeme : lexemes) {
      if (documentFrequency.getOrDefault(lexeme, 0) == 0) {
        unknown++;
      }
    }
    return (double) unknown / lexemes.size();
  }

  /** How many collections' statistics are held. */
  int held() {
    return entries.size();
  }

  private Stats stats(Key key) {
    Instant now = clock.instant();
    Entry entry = entries.get(key);
    if (entry == null) {
      entry = firstLoad(key);
    }
    entry.lastUsed = now;
    Stats current = entry.stats;
    if (!current.loadedAt().plus(MAX_AGE).isAfter(now) && refreshing.add(key)) {
      refresher.execute(() -> reload(key));
    }
    return current;
  }

  /** Loads statistics not held yet; concurrent callers for the same key wait for one load. */
  private Entry firstLoad(Key key) {
    CompletableFuture<Entry> mine = new CompletableFuture<>();
    CompletableFuture<Entry> running = firstLoads.putIfAbsent(key, mine);
    if (running != null) {
      try {
        return running.join();
      } catch (CompletionException e) {
        throw e.getCause() instanceof RuntimeException r ? r : e;
      }
    }
    try {
      Entry loaded = new Entry(load(key), clock.instant());
      entries.put(key, loaded);
      mine.complete(loaded);
      return loaded;
    } catch (RuntimeException e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      firstLoads.remove(key, mine);
    }
  }

  private void reload(Key key) {
    try {
      Stats fresh = load(key);
      Entry entry = entries.get(key);
      if (entry != null) {
        entry.stats = fresh;
      }
      // Statistics nobody asked for lately go, rather than being reloaded forever.
      Instant idleSince = clock.instant().minus(IDLE);
      entries.entrySet().removeIf(e -> e.getValue().lastUsed.isBefore(idleSince));
    } catch (RuntimeException e) {
      // The old statistics stay in use; the next query after MAX_AGE tries again.
      log.warn(
          "could not reload lexeme statistics of {} in index version {}",
          key.collection(),
          key.indexVersionId(),
          e);
    } finally {
      refreshing.remove(key);
    }
  }

  private Stats load(Key key) {
    Statistics loaded = loader.load(key.indexVersionId(), key.collection());
    return new Stats(loaded.documentFrequency(), loaded.chunks(), clock.instant());
  }
}
