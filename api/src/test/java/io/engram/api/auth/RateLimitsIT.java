package io.engram.api.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.engram.core.config.AccessSettings;
import io.engram.core.config.AccessSettings.RateLimitScope;
import io.engram.core.db.DatabaseUnavailable;
import io.engram.core.db.EngramJdbi;
import io.engram.core.tenant.ApiKeys;
import io.engram.core.tenant.Scope;
import io.engram.core.tenant.Tenant;
import io.engram.testing.EngramServices;
import io.engram.testing.EngramServicesExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Two {@link RateLimits} over one PostgreSQL stand for two API replicas: in {@code cluster} scope
 * they take one key's tokens from one bucket, so together they allow the burst once, not twice; in
 * {@code replica} scope each has its own. Time is a clock the test moves (a wall clock to Bucket4j,
 * as shared buckets need), so nothing depends on how fast the machine runs.
 */
@EngramServices
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RateLimitsIT {
  private static final int BURST = 5;

  /** Nanoseconds since the epoch, moved by the test alone. */
  private final MovableClock clock = new MovableClock(1_800_000_000_000_000_000L, true);

  private HikariDataSource db;
  private Jdbi jdbi;
  private ApiKeys keys;

  @BeforeAll
  void setUp() {
    db = EngramServicesExtension.postgres().migratedDatabase("rate_limits_it", 8);
    jdbi = EngramJdbi.create(db);
    keys = new ApiKeys(jdbi);
  }

  @AfterAll
  void tearDown() {
    db.close();
  }

  private static AccessSettings settings(int perSecond, int burst, RateLimitScope scope) {
    return new AccessSettings(false, perSecond, burst, scope, 1024, AccessSettings.Metrics.PUBLIC);
  }

  private RateLimits replica(RateLimitScope scope) {
    return replica(settings(1, BURST, scope));
  }

  private RateLimits replica(AccessSettings settings) {
    return RateLimits.of(settings, db, clock);
  }

  private long newKey() {
    return keys.create(new Tenant("acme"), "rate-limits-it", EnumSet.of(Scope.QUERY), "database")
        .key()
        .id();
  }

  private void advance(Duration d) {
    clock.advance(d);
  }

  private int storedBuckets(long keyId) {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT count(*) FROM rate_limit_buckets WHERE id = :id")
                .bind("id", keyId)
                .mapTo(Integer.class)
                .one());
  }

  /** Alternates requests between the replicas; how many of them were allowed. */
  private static int allowed(int requests, long keyId, RateLimits... replicas) {
    int allowed = 0;
    for (int i = 0; i < requests; i++) {
      if (replicas[i % replicas.length].consume(keyId).allowed()) {
        allowed++;
      }
    }
    return allowed;
  }

  @Test
  void two_replicas_in_cluster_scope_share_one_keys_burst_and_its_refill() {
    RateLimits a = replica(RateLimitScope.CLUSTER);
    RateLimits b = replica(RateLimitScope.CLUSTER);
    long key = newKey();

    assertThat(allowed(2 * BURST, key, a, b)).isEqualTo(BURST);
    RateLimits.Verdict refused = b.consume(key);
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.retryAfterSeconds()).isEqualTo(1);

    // One token a second, wherever it is taken.
    advance(Duration.ofMillis(999));
    assertThat(allowed(2, key, a, b)).isZero();
    advance(Duration.ofMillis(1));
    assertThat(allowed(4, key, a, b)).isEqualTo(1);
    advance(Duration.ofSeconds(2));
    assertThat(allowed(4, key, b, a)).isEqualTo(2);

    // Other keys have buckets of their own.
    assertThat(allowed(2 * BURST, newKey(), a, b)).isEqualTo(BURST);
    assertThat(storedBuckets(key)).isEqualTo(1);
  }

  @Test
  void in_replica_scope_each_replica_gives_a_key_its_own_burst() {
    RateLimits a = replica(RateLimitScope.REPLICA);
    RateLimits b = replica(RateLimitScope.REPLICA);
    long key = newKey();

    assertThat(allowed(4 * BURST, key, a, b)).isEqualTo(2 * BURST);
    assertThat(storedBuckets(key)).isZero();
  }

  @Test
  void replicas_racing_for_one_key_still_allow_the_burst_exactly_once() throws Exception {
    int burst = 40;
    RateLimits a = replica(settings(1, burst, RateLimitScope.CLUSTER));
    RateLimits b = replica(settings(1, burst, RateLimitScope.CLUSTER));
    long key = newKey();

    ExecutorService threads = Executors.newFixedThreadPool(8);
    try {
      List<Callable<Integer>> clients = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        RateLimits replica = t % 2 == 0 ? a : b;
        clients.add(() -> allowed(25, key, replica));
      }
      int total = 0;
      for (Future<Integer> f : threads.invokeAll(clients)) {
        total += f.get();
      }
      // 200 requests at once, time standing still: the burst and not one more.
      assertThat(total).isEqualTo(burst);
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void a_revoked_keys_shared_bucket_is_removed_for_every_replica() {
    RateLimits a = replica(RateLimitScope.CLUSTER);
    RateLimits b = replica(RateLimitScope.CLUSTER);
    long key = newKey();
    assertThat(allowed(BURST + 1, key, a)).isEqualTo(BURST);
    assertThat(storedBuckets(key)).isEqualTo(1);

    a.forget(key);

    assertThat(storedBuckets(key)).isZero();
    // Were the key still valid, the other replica would find a full bucket, not the empty one.
    assertThat(b.consume(key).remaining()).isEqualTo(BURST - 1);
  }

  @Test
  void the_replica_started_last_sets_the_limits_and_older_ones_follow_them() {
    RateLimits old = replica(settings(1, 2, RateLimitScope.CLUSTER));
    long key = newKey();
    assertThat(allowed(3, key, old)).isEqualTo(2);

    // A new version rolls out with a larger burst; the bucket fills up meanwhile, and stays full.
    advance(Duration.ofSeconds(10));
    RateLimits rolledOut = replica(settings(1, 6, RateLimitScope.CLUSTER));
    assertThat(allowed(8, key, rolledOut, old)).isEqualTo(6);

    // The old replica does not set its smaller burst back.
    advance(Duration.ofSeconds(10));
    assertThat(allowed(8, key, old)).isEqualTo(6);
  }

  @Test
  void an_unreachable_database_fails_the_check_as_unavailable() {
    HikariConfig config = new HikariConfig();
    // Nothing listens on port 1.
    config.setJdbcUrl("jdbc:postgresql://127.0.0.1:1/engram");
    config.setConnectionTimeout(250);
    config.setInitializationFailTimeout(-1);
    try (HikariDataSource down = new HikariDataSource(config)) {
      RateLimits limits = RateLimits.of(settings(1, BURST, RateLimitScope.CLUSTER), down, clock);
      assertThatThrownBy(() -> limits.consume(newKey()))
          .satisfies(e -> assertThat(DatabaseUnavailable.causes(e)).as(e.toString()).isTrue());
    }
  }
}
