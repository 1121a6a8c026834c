package io.engram.core.store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many chunks of an index version contain each lexeme ({@code ts_stat}), kept in memory and
 * refreshed after {@link #MAX_AGE}. The lexical leg uses it to drop lexemes that occur in a large
 * share of the chunks: they add little to the ranking but make PostgreSQL rank thousands of rows.
 *
 * <p>Only the first use of an index version waits for the statistics. Later, stale statistics keep
 * being served while one background thread reloads them: {@code ts_stat} reads every chunk's vector
 * (about half a second at 20 000 chunks, growing with the corpus), which would otherwise stall one
 * query every {@link #MAX_AGE}. Document frequencies drift slowly, so a few seconds of staleness
 * changes which lexemes are pruned only at the margin.
 */
public final class Lexicon {
  private static final Logger log = LoggerFactory.getLogger(Lexicon.class);

  static final Duration MAX_AGE = Duration.ofMinutes(10);

  /** How many chunks of an index version contain each lexeme, and how many chunks it has. */
  record Statistics(Map<String, Integer> documentFrequency, int chunks) {}

  private record Stats(Map<String, Integer> documentFrequency, int chunks, Instant loadedAt) {}

  private final IntFunction<Statistics> loader;
  private final Clock clock;
  private final Executor refresher;
  private final Map<Integer, Stats> byIndexVersion = new ConcurrentHashMap<>();
  private final Set<Integer> refreshing = ConcurrentHashMap.newKeySet();

  /**
   * @param loader reads an index version's statistics from the chunks (see {@link
   *     PgVectorChunkStore}, their owner)
   */
  Lexicon(IntFunction<Statistics> loader, Clock clock) {
    this(loader, clock, Lexicon::refreshOnDaemonThread);
  }

  /** With the executor that reloads stale statistics (tests pass a direct or manual one). */
  Lexicon(IntFunction<Statistics> loader, Clock clock, Executor refresher) {
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
   * The lexemes worth searching for: those in at most {@code maxShare} of the version's chunks, or
   * the rarest one when all are common (so a query of common words still finds something).
   */
  public List<String> selective(int indexVersionId, List<String> lexemes, double maxShare) {
    if (lexemes.isEmpty()) {
      return lexemes;
    }
    Stats stats = stats(indexVersionId);
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
   * The share of {@code lexemes} that no chunk of the index version contains (0 for none), read
   * from the same statistics as {@link #selective}: in memory once the version has been searched.
   */
  public double unknownShare(int indexVersionId, List<String> lexemes) {
    if (lexemes.isEmpty()) {
      return 0;
    }
    Map<String, Integer> documentFrequency = stats(indexVersionId).documentFrequency();
    int unknown = 0;
    for (String lexeme : lexemes) {
      if (documentFrequency.getOrDefault(lexeme, 0) == 0) {
        unknown++;
      }
    }
    return (double) unknown / lexemes.size();
  }

  private Stats stats(int indexVersionId) {
    Stats current = byIndexVersion.get(indexVersionId);
    if (current == null) {
      Stats fresh = load(indexVersionId);
      byIndexVersion.put(indexVersionId, fresh);
      return fresh;
    }
    if (!current.loadedAt().plus(MAX_AGE).isAfter(clock.instant())
        && refreshing.add(indexVersionId)) {
      refresher.execute(() -> reload(indexVersionId));
    }
    return current;
  }

  private void reload(int indexVersionId) {
    try {
      byIndexVersion.put(indexVersionId, load(indexVersionId));
    } catch (RuntimeException e) {
      // The old statistics stay in use; the next query after MAX_AGE tries again.
      log.warn("could not reload lexeme statistics of index version {}", indexVersionId, e);
    } finally {
      refreshing.remove(indexVersionId);
    }
  }

  private Stats load(int indexVersionId) {
    Statistics loaded = loader.apply(indexVersionId);
    return new Stats(loaded.documentFrequency(), loaded.chunks(), clock.instant());
  }
}
