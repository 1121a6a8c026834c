package io.engram.core.memory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * The citation buffer: the query path appends one row per fact an answer cited, and the salience
 * job folds them into the facts in batches ({@link MemoryMaintenance#flushCitations}). Appending is
 * a single cheap insert, so answering never waits on the facts' rows.
 */
public final class FactCitations {

  /** A cited fact. */
  public record Cited(MemoryTier tier, long factId) {}

  private static final Pattern SOURCE = Pattern.compile("^memory:(episodic|semantic)/(\\d+)$");

  private final DataSource dataSource;

  public FactCitations(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** Reads a source name such as {@code memory:semantic/7}; empty for document sources. */
  public static Optional<Cited> parse(String source) {
    Matcher m = source == null ? null : SOURCE.matcher(source);
    if (m == null || !m.matches()) {
      return Optional.empty();
    }
    return Optional.of(
        new Cited(MemoryTier.valueOf(m.group(1).toUpperCase()), Long.parseLong(m.group(2))));
  }

  /** Appends one citation per fact, all made at {@code at}. */
  public void record(List<Cited> facts, Instant at) throws SQLException {
    if (facts.isEmpty()) {
      return;
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO fact_citations (tier, fact_id, cited_at) VALUES (?, ?, ?)")) {
      for (Cited cited : facts) {
        ps.setString(1, cited.tier().wireName());
        ps.setLong(2, cited.factId());
        ps.setObject(3, MemorySql.ts(at));
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }
}
