package io.engram.api.auth;

import io.github.bucket4j.BucketExceptions.BucketExecutionException;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.distributed.proxy.ClientSideConfig;
import io.github.bucket4j.distributed.proxy.generic.select_for_update.AbstractSelectForUpdateBasedProxyManager;
import io.github.bucket4j.distributed.proxy.generic.select_for_update.LockAndGetResult;
import io.github.bucket4j.distributed.proxy.generic.select_for_update.SelectForUpdateBasedTransaction;
import io.github.bucket4j.distributed.remote.RemoteBucketState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Bucket4j's distributed buckets over the table {@code rate_limit_buckets} (migration V16), one row
 * per API key. Bucket4j does the protocol: it reads a bucket's state under the row's lock ({@code
 * SELECT ... FOR UPDATE}), runs the command (take a token, replace the configuration) on the client
 * and writes the new state back in the same transaction; a missing row is inserted empty in a
 * transaction of its own and the command retried. This class is only the JDBC transaction that
 * protocol asks for: the statements of Bucket4j's own PostgreSQL module ({@code
 * bucket4j_jdk17-postgresql}, its select-for-update variant), which is not among the artifacts this
 * build can resolve, on the generic base class in {@code bucket4j_jdk17-core}.
 *
 * <p>Row locks rather than Bucket4j's other PostgreSQL variant, advisory locks: an advisory lock
 * keyed by the key's id would share one database-wide number space with every other advisory lock
 * (Flyway takes one), and it costs one statement more per request.
 *
 * <p>A failure is a {@link BucketExecutionException} whose cause is the {@link SQLException}: an
 * unreachable database (a pool timeout, a closed connection, a server going away) is still told
 * apart by {@link io.engram.core.db.DatabaseUnavailable}, which reads the cause chain.
 */
final class PostgresBuckets extends AbstractSelectForUpdateBasedProxyManager<Long> {
  static final String TABLE = "rate_limit_buckets";

  /**
   * Locks and reads the key's row, and lets this transaction commit without waiting for its WAL to
   * reach the disk ({@code SET LOCAL synchronous_commit = off}, as a function so that it costs no
   * round trip of its own). A bucket is worth no fsync: a server crash may forget the last moment
   * of token use, a key then gets a few requests more once; nothing else is lost or inconsistent
   * (PostgreSQL, "Asynchronous Commit"). The wait for the disk would otherwise be most of a check's
   * time (docs/benchmarks/rate-limits.md).
   */
  private static final String SELECT =
      "SELECT state, set_config('synchronous_commit', 'off', true) FROM "
          + TABLE
          + " WHERE id = ? FOR UPDATE";

  private static final String INSERT =
      "INSERT INTO " + TABLE + " (id, state) VALUES (?, NULL) ON CONFLICT (id) DO NOTHING";
  private static final String UPDATE = "UPDATE " + TABLE + " SET state = ? WHERE id = ?";
  private static final String DELETE = "DELETE FROM " + TABLE + " WHERE id = ?";

  private final DataSource dataSource;

  /**
   * @param clock the time every replica reads: a wall clock ({@link TimeMeter#isWallClockBased()}),
   *     since a bucket's last refill is written by one process and read by another
   */
  PostgresBuckets(DataSource dataSource, TimeMeter clock) {
    super(ClientSideConfig.getDefault().withClientClock(requireWallClock(clock)));
    this.dataSource = dataSource;
  }

  private static TimeMeter requireWallClock(TimeMeter clock) {
    if (!clock.isWallClockBased()) {
      throw new IllegalArgumentException(
          "buckets shared between processes need a wall clock, not " + clock);
    }
    return clock;
  }

  @Override
  protected SelectForUpdateBasedTransaction allocateTransaction(
      Long key, Optional<Long> timeoutNanos) {
    Connection connection;
    try {
      connection = dataSource.getConnection();
    } catch (SQLException e) {
      throw new BucketExecutionException(e);
    }
    return new RowLockTransaction(connection, key);
  }

  @Override
  public void removeProxy(Long key) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement delete = c.prepareStatement(DELETE)) {
      delete.setLong(1, key);
      delete.executeUpdate();
    } catch (SQLException e) {
      throw new BucketExecutionException(e);
    }
  }

  /** One transaction on one pooled connection, which it returns when released. */
  private static final class RowLockTransaction implements SelectForUpdateBasedTransaction {
    private final Connection connection;
    private final long key;

    RowLockTransaction(Connection connection, long key) {
      this.connection = connection;
      this.key = key;
    }

    @Override
    public void begin(Optional<Long> timeoutNanos) {
      try {
        connection.setAutoCommit(false);
      } catch (SQLException e) {
        throw new BucketExecutionException(e);
      }
    }

    @Override
    public LockAndGetResult tryLockAndGet(Optional<Long> timeoutNanos) {
      try (PreparedStatement select = connection.prepareStatement(SELECT)) {
        select.setLong(1, key);
        try (ResultSet rs = select.executeQuery()) {
          return rs.next() ? LockAndGetResult.locked(rs.getBytes(1)) : LockAndGetResult.notLocked();
        }
      } catch (SQLException e) {
        throw new BucketExecutionException(e);
      }
    }

    @Override
    public boolean tryInsertEmptyData(Optional<Long> timeoutNanos) {
      try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
        insert.setLong(1, key);
        return insert.executeUpdate() > 0;
      } catch (SQLException e) {
        throw new BucketExecutionException(e);
      }
    }

    @Override
    public void update(byte[] data, RemoteBucketState newState, Optional<Long> timeoutNanos) {
      try (PreparedStatement update = connection.prepareStatement(UPDATE)) {
        update.setBytes(1, data);
        update.setLong(2, key);
        update.executeUpdate();
      } catch (SQLException e) {
        throw new BucketExecutionException(e);
      }
    }

    @Override
    public void commit(Optional<Long> timeoutNanos) {
      try {
        connection.commit();
      } catch (SQLException e) {
        throw new BucketExecutionException(e);
      }
    }

    /**
     * Called after a failure, which Bucket4j then rethrows: a rollback that fails too (the
     * connection is gone) must not replace it, and the pool rolls back what is left when the
     * connection is released.
     */
    @Override
    public void rollback() {
      try {
        connection.rollback();
      } catch (SQLException e) {
        // the failure being handled says what went wrong
      }
    }

    @Override
    public void release() {
      try {
        connection.close();
      } catch (SQLException e) {
        throw new BucketExecutionException(e);
      }
    }
  }
}
