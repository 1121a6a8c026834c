package io.engram.core.memory;

import io.engram.core.db.BatchedChange;
import io.engram.core.db.Columns;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Update;

/**
 * The citation buffer ({@code fact_citations}): the query path appends one row per fact an answer
 * cited, and the salience job folds them into the facts in batches ({@link
 * MemoryMaintenance#flushCitations}). Appending is a single cheap insert, so answering never waits
 * on the facts' rows.
 */
public final class FactCitations {

  /** A cited fact. */
  public record Cited(MemoryTier tier, long factId) {}

  /** The citations of one fact taken from the buffer: how many, and the latest. */
  record Counted(MemoryTier tier, long factId, int count, Instant last) {}

  private static final Pattern SOURCE = Pattern.compile("^memory:(episodic|semantic)/(\\d+)$");

  private final Jdbi jdbi;

  public FactCitations(Jdbi jdbi) {
    this.jdbi = jdbi;
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
  public void record(List<Cited> facts, Instant at) {
    if (facts.isEmpty()) {
      return;
    }
    jdbi.useHandle(
        h -> {
          PreparedBatch batch =
              h.prepareBatch(
                  "INSERT INTO fact_citations (tier, fact_id, cited_at) VALUES (:tier, :factId, :at)");
          for (Cited cited : facts) {
            batch
                .bind("tier", cited.tier().wireName())
                .bind("factId", cited.factId())
                .bind("at", MemorySql.ts(at))
                .add();
          }
          batch.execute();
        });
  }

  /**
   * Deletes up to {@code limit} buffered citations made at or before {@code now}, oldest first,
   * inside the caller's transaction, and returns them counted per fact. Rows another flush holds
   * are skipped, so concurrent flushes never count a citation twice.
   */
  static List<Counted> take(Handle h, Instant now, int limit) {
    return h.createQuery(
            "WITH flushed AS ("
                + " DELETE FROM fact_citations WHERE id IN (SELECT id FROM fact_citations"
                + "   WHERE cited_at <= :now ORDER BY id LIMIT :limit FOR UPDATE SKIP LOCKED)"
                + " RETURNING tier, fact_id, cited_at)"
                + " SELECT tier, fact_id, count(*)::int, max(cited_at) FROM flushed"
                + " GROUP BY tier, fact_id ORDER BY tier, fact_id")
        .bind("now", MemorySql.ts(now))
        .bind("limit", limit)
        .map(
            (rs, ctx) ->
                new Counted(
                    MemoryTier.valueOf(rs.getString(1).toUpperCase(Locale.ROOT)),
                    rs.getLong(2),
                    rs.getInt(3),
                    Columns.instant(rs, 4)))
        .list();
  }

  /**
   * The counted citations as rows {@code c(tier, fact_id, n, last)}, for the statements of {@link
   * #fold}, which binds their arrays.
   */
  static final String COUNTED_ROWS =
      "unnest(:tiers::text[], :ids::bigint[], :counts::int[], :lasts::timestamptz[])"
          + " AS c(tier, fact_id, n, last)";

  /**
   * Folds counted citations into a tier's facts, inside the caller's transaction: runs {@code
   * update}, which reads them as the rows of {@link #COUNTED_ROWS}; with nothing counted, runs
   * nothing.
   *
   * @param binds binds the statement's own parameters
   * @return how many facts changed
   */
  static long fold(Handle h, List<Counted> counted, String update, UnaryOperator<Update> binds) {
    if (counted.isEmpty()) {
      return 0;
    }
    return binds
        .apply(
            h.createUpdate(update)
                .bindArray(
                    "tiers", String.class, counted.stream().map(c -> c.tier().wireName()).toList())
                .bindArray("ids", Long.class, counted.stream().map(Counted::factId).toList())
                .bindArray("counts", Integer.class, counted.stream().map(Counted::count).toList())
                // Text, for the ::timestamptz[] cast.
                .bindArray(
                    "lasts",
                    String.class,
                    MemorySql.timestamps(counted.stream().map(Counted::last).toList())))
        .execute();
  }

  /** Citations buffered for the next flush. */
  static long pendingCount(Handle h) {
    return h.createQuery("SELECT count(*) FROM fact_citations").mapTo(Long.class).one();
  }

  /**
   * Deletes a collection's rows of {@code fact_citations} ({@link
   * io.engram.core.collection.CollectionDeletion}). The citations of the collection's episodic and
   * semantic facts, before the facts.
   */
  public static final BatchedChange<String> DELETE_OF_COLLECTION =
      BatchedChange.deleteOfCollection(
          "fact_citations",
          "id",
          "SELECT c.id FROM fact_citations c WHERE (c.tier = 'episodic' AND"
              + " c.fact_id IN (SELECT id FROM episodic_facts WHERE collection ="
              + " :key)) OR (c.tier = 'semantic' AND c.fact_id IN (SELECT id FROM"
              + " semantic_facts WHERE collection = :key))");

  /**
   * Deletes a tenant's user's rows of {@code fact_citations} ({@link UserForgetting}). The
   * citations of the user's episodic and semantic facts, before the facts.
   */
  public static final BatchedChange<BatchedChange.User> DELETE_OF_USER =
      BatchedChange.deleteOfUser(
          "fact_citations",
          "id",
          "SELECT c.id FROM fact_citations c WHERE (c.tier = 'episodic' AND"
              + " c.fact_id IN (SELECT id FROM episodic_facts WHERE tenant ="
              + " :tenant AND user_id = :userId)) OR (c.tier = 'semantic' AND"
              + " c.fact_id IN (SELECT id FROM semantic_facts WHERE tenant ="
              + " :tenant AND user_id = :userId))");
}
