package io.engram.core.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
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

  private record Stats(Map<String, Integer> documentFrequency, int chunks, Instant loadedAt) {}

  private final DataSource dataSource;
  private final Clock clock;
  private final Executor refresher;
  private final Map<Integer, Stats> byIndexVersion = new ConcurrentHashMap<>();
  private final Set<Integer> refreshing = ConcurrentHashMap.newKeySet();

  public Lexicon(DataSource dataSource, Clock clock) {
    this(dataSource, clock, Lexicon::refreshOnDaemonThread);
  }

  /** With the executor that reloads stale statistics (tests pass a direct or manual one). */
  Lexicon(DataSource dataSource, Clock clock, Executor refresher) {
    this.dataSource = dataSource;
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
  public List<String> selective(int indexVersionId, List<String> lexemes, double maxShare)
      throws SQLException {
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

  private Stats stats(int indexVersionId) throws SQLException {
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
    } catch (SQLException | RuntimeException e) {
      // The old statistics stay in use; the next query after MAX_AGE tries again.
      log.warn("could not reload lexeme statistics of index version {}", indexVersionId, e);
    } finally {
      refreshing.remove(indexVersionId);
    }
  }

  private Stats load(int indexVersionId) throws SQLException {
    Map<String, Integer> df = new HashMap<>();
    int chunks;
    try (Connection c = dataSource.getConnection()) {
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT word, ndoc FROM ts_stat('SELECT tsv FROM chunks WHERE index_version_id = "
                  + indexVersionId
                  + "')")) {
        ps.setFetchSize(10_000);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            df.put(rs.getString(1), rs.getInt(2));
          }
        }
      }
      try (PreparedStatement ps =
          c.prepareStatement("SELECT count(*) FROM chunks WHERE index_version_id = ?")) {
        ps.setInt(1, indexVersionId);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          chunks = rs.getInt(1);
        }
      }
    }
    return new Stats(df, chunks, clock.instant());
  }
}
