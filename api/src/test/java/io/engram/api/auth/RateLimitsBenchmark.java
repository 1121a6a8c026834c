package io.engram.api.auth;

import com.zaxxer.hikari.HikariDataSource;
import io.engram.core.config.AccessSettings;
import io.engram.core.config.AccessSettings.RateLimitScope;
import io.engram.core.db.Database;
import io.engram.core.db.EngramJdbi;
import io.engram.core.tenant.ApiKeys;
import io.engram.core.tenant.Scope;
import io.engram.core.tenant.Tenant;
import io.engram.migrations.Migrations;
import io.github.bucket4j.TimeMeter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The cost of a rate-limit check per request: {@code replica} (a bucket in memory) against {@code
 * cluster} (a bucket in PostgreSQL, one transaction per check) in one run, alternating the order
 * round by round so both see the same machine. The limits are set high enough that nothing is
 * refused: what is measured is {@link RateLimits#consume}, as the API's filter calls it.
 *
 * <p>Scenarios: one thread over many keys (the latency a request pays); T threads over T keys (no
 * contention between them); T threads on one key (the requests of one key from many replicas at
 * once, which wait for each other on the key's row). Per scenario and scope: p50, p95, p99 of one
 * check and checks per second; then cluster/replica ratios.
 *
 * <p>Run by {@code scripts/bench/rate-limits.sh}, which starts a PostgreSQL with its stock
 * durability settings (this project's test server turns fsync off) and passes its URL:
 *
 * <pre>
 * java -cp ... io.engram.api.auth.RateLimitsBenchmark --db-url URL [--db-user engram]
 *     [--checks 20000] [--rounds 3] [--keys 100] [--threads 4]
 * </pre>
 */
final class RateLimitsBenchmark {
  private RateLimitsBenchmark() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = options(args);
    String url = required(options, "--db-url");
    String user = options.getOrDefault("--db-user", "engram");
    int checks = Integer.parseInt(options.getOrDefault("--checks", "20000"));
    int rounds = Integer.parseInt(options.getOrDefault("--rounds", "3"));
    int keyCount = Integer.parseInt(options.getOrDefault("--keys", "100"));
    int threads = Integer.parseInt(options.getOrDefault("--threads", "4"));

    try (HikariDataSource db = Database.connect(url, user, "", "rate-limits-bench", threads + 2)) {
      Migrations.migrate(db);
      ApiKeys apiKeys = new ApiKeys(EngramJdbi.create(db));
      long[] keys = new long[Math.max(keyCount, threads)];
      for (int i = 0; i < keys.length; i++) {
        keys[i] =
            apiKeys
                .create(new Tenant("bench"), "rate-limits-bench", EnumSet.of(Scope.QUERY), "bench")
                .key()
                .id();
      }
      Map<RateLimitScope, RateLimits> limits = new LinkedHashMap<>();
      // As the API makes them (AuthFactory): each scope with its clock.
      limits.put(
          RateLimitScope.REPLICA,
          RateLimits.of(unrefused(RateLimitScope.REPLICA), db, TimeMeter.SYSTEM_NANOTIME));
      limits.put(
          RateLimitScope.CLUSTER,
          RateLimits.of(unrefused(RateLimitScope.CLUSTER), db, TimeMeter.SYSTEM_MILLISECONDS));

      System.out.printf(
          Locale.ROOT,
          "rate-limit checks: %d per scope and scenario in each of %d rounds (order alternating),"
              + " %d keys, %d threads; PostgreSQL %s; %d cores, Java %s%n",
          checks,
          rounds,
          keyCount,
          threads,
          version(db),
          Runtime.getRuntime().availableProcessors(),
          System.getProperty("java.version"));

      // Warm-up: JIT, the pool's connections, prepared statements, every key's row.
      for (RateLimits l : limits.values()) {
        for (int i = 0; i < Math.max(2_000, keys.length * 3); i++) {
          check(l, keys[i % keys.length]);
        }
      }

      List<Scenario> scenarios =
          List.of(
              new Scenario("1 thread, " + keyCount + " keys", 1, false),
              new Scenario(threads + " threads, a key each", threads, false),
              new Scenario(threads + " threads, one key", threads, true));
      System.out.println();
      System.out.println("| scenario | scope | checks | p50 µs | p95 µs | p99 µs | checks/s |");
      System.out.println("|---|---|---:|---:|---:|---:|---:|");
      List<String> ratios = new ArrayList<>();
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        for (Scenario scenario : scenarios) {
          Map<RateLimitScope, Samples> results = new LinkedHashMap<>();
          for (RateLimitScope scope : limits.keySet()) {
            results.put(scope, new Samples());
          }
          for (int round = 0; round < rounds; round++) {
            List<RateLimitScope> order = new ArrayList<>(limits.keySet());
            if (round % 2 == 1) {
              Collections.reverse(order);
            }
            for (RateLimitScope scope : order) {
              results
                  .get(scope)
                  .add(run(pool, limits.get(scope), scenario, keys, keyCount, checks));
            }
          }
          for (var e : results.entrySet()) {
            Samples s = e.getValue();
            System.out.printf(
                Locale.ROOT,
                "| %s | %s | %d | %.1f | %.1f | %.1f | %.0f |%n",
                scenario.name,
                e.getKey().name().toLowerCase(Locale.ROOT),
                s.count(),
                s.percentile(50) / 1e3,
                s.percentile(95) / 1e3,
                s.percentile(99) / 1e3,
                s.perSecond());
          }
          Samples replica = results.get(RateLimitScope.REPLICA);
          Samples cluster = results.get(RateLimitScope.CLUSTER);
          ratios.add(
              String.format(
                  Locale.ROOT,
                  "%s: cluster/replica p50 %.0f×, p95 %.0f×; cluster p50 %.2f ms, p95 %.2f ms",
                  scenario.name,
                  cluster.percentile(50) / replica.percentile(50),
                  cluster.percentile(95) / replica.percentile(95),
                  cluster.percentile(50) / 1e6,
                  cluster.percentile(95) / 1e6));
        }
      } finally {
        pool.shutdownNow();
      }
      System.out.println();
      ratios.forEach(System.out::println);
    }
  }

  private record Scenario(String name, int threads, boolean oneKey) {}

  /** Latencies of one scope in one scenario, with the wall time they took. */
  private static final class Samples {
    private final List<long[]> parts = new ArrayList<>();
    private long wallNanos;
    private long[] sorted;

    void add(Samples other) {
      parts.addAll(other.parts);
      wallNanos += other.wallNanos;
      sorted = null;
    }

    int count() {
      return parts.stream().mapToInt(p -> p.length).sum();
    }

    double percentile(double p) {
      if (sorted == null) {
        sorted = parts.stream().flatMapToLong(Arrays::stream).sorted().toArray();
      }
      int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
      return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    double perSecond() {
      return count() / (wallNanos / 1e9);
    }
  }

  private static Samples run(
      ExecutorService pool,
      RateLimits limits,
      Scenario scenario,
      long[] keys,
      int keyCount,
      int checks)
      throws Exception {
    int perThread = checks / scenario.threads;
    List<Callable<long[]>> clients = new ArrayList<>();
    for (int t = 0; t < scenario.threads; t++) {
      int thread = t;
      clients.add(
          () -> {
            long[] nanos = new long[perThread];
            for (int i = 0; i < perThread; i++) {
              long key =
                  scenario.oneKey
                      ? keys[0]
                      : scenario.threads == 1 ? keys[i % keyCount] : keys[thread];
              long start = System.nanoTime();
              check(limits, key);
              nanos[i] = System.nanoTime() - start;
            }
            return nanos;
          });
    }
    Samples samples = new Samples();
    long start = System.nanoTime();
    for (Future<long[]> f : pool.invokeAll(clients)) {
      samples.parts.add(f.get());
    }
    samples.wallNanos = System.nanoTime() - start;
    return samples;
  }

  private static void check(RateLimits limits, long key) {
    if (!limits.consume(key).allowed()) {
      throw new IllegalStateException("a check was refused: the limits are meant to be unreached");
    }
  }

  /** Limits no run reaches: a million a second, bursts of ten million. */
  private static AccessSettings unrefused(RateLimitScope scope) {
    return new AccessSettings(
        false, 1_000_000, 10_000_000, scope, 1024, AccessSettings.Metrics.PUBLIC);
  }

  private static String version(HikariDataSource db) throws Exception {
    try (var c = db.getConnection();
        var s = c.createStatement();
        var rs =
            s.executeQuery(
                "SELECT current_setting('server_version') || ' (fsync ' ||"
                    + " current_setting('fsync') || ', synchronous_commit ' ||"
                    + " current_setting('synchronous_commit') || ')'")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      options.put(args[i], args[i + 1]);
    }
    return options;
  }

  private static String required(Map<String, String> options, String name) {
    String value = options.get(name);
    if (value == null) {
      throw new IllegalArgumentException("usage: RateLimitsBenchmark " + name + " VALUE ...");
    }
    return value;
  }
}
