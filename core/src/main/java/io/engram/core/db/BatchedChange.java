package io.engram.core.db;

import java.util.function.BiFunction;
import java.util.function.LongConsumer;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Update;

/**
 * One table's batched change: the deletion or anonymization of the rows of one collection, or of
 * one tenant's user, a bounded batch at a time. Collection deletion and user forgetting empty table
 * after table this way; each table's owner declares the change as a constant, and so keeps its SQL.
 *
 * <p>A change is declared by its table, the columns that identify a row ({@code id}, or {@code
 * rollout_id, session_id}), for an anonymization the {@code SET} clause's assignments, and the
 * <em>pick</em>: the sub-select of the rows' key values, in the same order, joins and {@code ORDER
 * BY} included where they matter ({@code SELECT c.id FROM documents d JOIN chunks c ON
 * c.document_id = d.id WHERE d.collection = :key}). It runs as {@code DELETE FROM table WHERE keys
 * IN (pick LIMIT :limit)} or {@code UPDATE table SET assignments WHERE keys IN (pick LIMIT
 * :limit)}, a composite key as a row value ({@code (a, b) IN (SELECT x.a, x.b ...)}). A
 * collection's pick names {@code :key}; a user's names {@code :tenant} and {@code :userId}, and so
 * the tenant: the same user id in another tenant is another person.
 *
 * <p>{@link #apply} changes up to {@code limit} rows in the caller's transaction and returns how
 * many: 0 once none is left, so the caller repeats it until then ({@link #repeat}). An
 * anonymization's pick must therefore leave out the rows it has anonymized already (by the very
 * columns it clears), or the repetition never ends.
 *
 * @param <S> whose rows the pick selects: a collection's key ({@link String}) or a {@link User}
 */
public final class BatchedChange<S> {

  /** One tenant's user, whose rows a user's change picks. */
  public record User(String tenant, String userId) {}

  private static final Pattern LIMIT = Pattern.compile("\\bLIMIT\\b", Pattern.CASE_INSENSITIVE);

  private final String table;
  private final String sql;
  private final BiFunction<Update, S, Update> bindScope;

  private BatchedChange(
      String table,
      String change,
      String keys,
      String pick,
      BiFunction<Update, S, Update> bindScope) {
    if (LIMIT.matcher(pick).find()) {
      throw new IllegalArgumentException("the pick is limited by the change: " + pick);
    }
    this.table = table;
    String key = keys.contains(",") ? "(" + keys + ")" : keys;
    this.sql = change + " WHERE " + key + " IN (" + pick + " LIMIT :limit)";
    this.bindScope = bindScope;
  }

  /** Deletes a collection's rows of {@code table}; {@code pick} binds {@code :key}. */
  public static BatchedChange<String> deleteOfCollection(String table, String keys, String pick) {
    requireParameters(pick, ":key");
    return new BatchedChange<>(
        table, "DELETE FROM " + table, keys, pick, (u, key) -> u.bind("key", key));
  }

  /**
   * Deletes a user's rows of {@code table}; {@code pick} binds {@code :tenant}, {@code :userId}.
   */
  public static BatchedChange<User> deleteOfUser(String table, String keys, String pick) {
    requireParameters(pick, ":tenant", ":userId");
    return new BatchedChange<>(table, "DELETE FROM " + table, keys, pick, BatchedChange::bindUser);
  }

  /**
   * Anonymizes a user's rows of {@code table} with {@code set} (the {@code SET} clause's
   * assignments, e.g. {@code comment = NULL}); {@code pick} binds {@code :tenant} and {@code
   * :userId}.
   */
  public static BatchedChange<User> anonymizeOfUser(
      String table, String set, String keys, String pick) {
    requireParameters(pick, ":tenant", ":userId");
    return new BatchedChange<>(
        table, "UPDATE " + table + " SET " + set, keys, pick, BatchedChange::bindUser);
  }

  /** The table changed. */
  public String table() {
    return table;
  }

  /**
   * Changes up to {@code limit} of {@code of}'s rows in the caller's transaction.
   *
   * @return the rows changed: 0 once none is left
   */
  public int apply(Handle h, S of, int limit) {
    return bindScope.apply(h.createUpdate(sql), of).bind("limit", limit).execute();
  }

  /**
   * Runs {@code batch} in a transaction of its own, again and again until it changes nothing, so a
   * repetition cut off half way resumes where it stopped; after each batch {@code progress} hears
   * the rows changed so far.
   *
   * @return the rows changed
   */
  public static long repeat(
      Jdbi jdbi, HandleCallback<Integer, RuntimeException> batch, LongConsumer progress) {
    long total = 0;
    while (true) {
      int n = jdbi.inTransaction(batch);
      if (n == 0) {
        return total;
      }
      total += n;
      progress.accept(total);
    }
  }

  @Override
  public String toString() {
    return sql;
  }

  private static Update bindUser(Update u, User user) {
    return u.bind("tenant", user.tenant()).bind("userId", user.userId());
  }

  private static void requireParameters(String pick, String... names) {
    for (String name : names) {
      if (!pick.contains(name)) {
        throw new IllegalArgumentException("the pick must name " + name + ": " + pick);
      }
    }
  }
}
