package io.engram.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Open-loop load on {@code POST /v1/query}: at each rate the requests leave on a fixed schedule
 * whatever the API answers, and each latency is measured from the moment its request was due, not
 * from when it actually left. A slow API therefore shows up as queueing in the percentiles instead
 * of quietly lowering the offered rate (the coordinated omission of closed-loop benchmarks such as
 * {@code bench query}'s concurrency sweep).
 */
@Command(
    name = "load",
    description =
        "Open-loop load on POST /v1/query at rising rates; the highest rate held with 0 errors and"
            + " p95 under a bound.")
final class BenchLoadCommand implements Callable<Integer> {

  /** Whole seconds and a rate give the exact number of requests of a step. */
  private static final long NANOS_PER_SECOND = TimeUnit.SECONDS.toNanos(1);

  private static final Path LOAD_AVERAGE = Path.of("/proc/loadavg");

  @Mixin CommandContext context;

  @Mixin BenchTarget target;

  @Option(
      names = "--rates",
      paramLabel = "QPS,QPS",
      split = ",",
      defaultValue = "10,20,40,60,80,100,120,150,200",
      description = "Rates to hold in turn, queries per second (default: ${DEFAULT-VALUE}).")
  List<Integer> rates;

  @Option(
      names = "--hold",
      paramLabel = "SECONDS",
      defaultValue = "60",
      description = "How long each rate is held (default: ${DEFAULT-VALUE}).")
  int holdSeconds;

  @Option(
      names = "--timeout-ms",
      paramLabel = "MS",
      defaultValue = "10000",
      description =
          "A request without a response after this long counts as an error (default:"
              + " ${DEFAULT-VALUE}).")
  long timeoutMs;

  /** What one rate held for the hold time gave. */
  record Step(
      int rate,
      long sent,
      long errors,
      Map<String, Long> errorKinds,
      Percentiles latency,
      Double loadAverage) {

    boolean held(double boundMs) {
      return errors == 0 && latency.p95() <= boundMs;
    }

    String verdict(double boundMs) {
      if (errors > 0) {
        return "failed: " + errors + " errors " + errorKinds;
      }
      return latency.p95() <= boundMs
          ? "held"
          : String.format(Locale.ROOT, "failed: p95 over %.0f ms", boundMs);
    }

    /**
     * The step as {@code layout} shows it, which takes in turn the rate, requests sent, errors,
     * p50, p95 and p99, {@code load} and the verdict.
     */
    String format(String layout, Object load, double boundMs) {
      return String.format(
          Locale.ROOT,
          layout,
          rate,
          sent,
          errors,
          latency.p50(),
          latency.p95(),
          latency.p99(),
          load,
          verdict(boundMs));
    }
  }

  /** Latency percentiles in milliseconds, measured from when each request was due. */
  record Percentiles(double p50, double p95, double p99, double max) {
    static Percentiles of(Histogram micros) {
      return new Percentiles(
          micros.getValueAtPercentile(50) / 1000.0,
          micros.getValueAtPercentile(95) / 1000.0,
          micros.getValueAtPercentile(99) / 1000.0,
          micros.getMaxValue() / 1000.0);
    }
  }

  @Override
  public Integer call() throws Exception {
    validate();
    double bound = target.p95BoundMs;
    PrintWriter err = context.err();
    List<String> texts = target.readQueries();
    EngramClient client = context.client();
    target.warmUp(client, texts);

    List<Step> steps = new ArrayList<>();
    Step best = null;
    int next = 0;
    for (int rate : rates) {
      Step step = hold(client, texts, next, rate);
      next = (int) ((next + step.sent()) % texts.size());
      steps.add(step);
      err.println(
          step.format(
              "rate %d qps: sent %d, errors %d, p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, load %s: %s",
              step.loadAverage(), bound));
      err.flush();
      if (!step.held(bound)) {
        break;
      }
      best = step;
    }
    Step held = best;
    Step last = steps.get(steps.size() - 1);
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("max_qps", held == null ? 0 : held.rate());
    result.put("p95_ms", held == null ? null : held.latency().p95());
    result.put("errors", held == null ? last.errors() : held.errors());
    result.put("hold_s", holdSeconds);
    result.put("p95_bound_ms", bound);
    result.put("failed_at_qps", last.held(bound) ? null : last.rate());
    result.put("steps", steps);
    context.print(
        result,
        out -> {
          out.printf(
              Locale.ROOT,
              "%8s %8s %7s %9s %9s %9s %6s  %s%n",
              "rate",
              "sent",
              "errors",
              "p50_ms",
              "p95_ms",
              "p99_ms",
              "load1",
              "result");
          for (Step step : steps) {
            out.print(
                step.format(
                    "%8d %8d %7d %9.1f %9.1f %9.1f %6s  %s%n",
                    step.loadAverage() == null ? "n/a" : step.loadAverage(), bound));
          }
          out.printf(
              Locale.ROOT,
              "load max_qps=%d p95_ms=%s errors=%d hold_s=%d%s%n",
              held == null ? 0 : held.rate(),
              held == null ? "n/a" : String.format(Locale.ROOT, "%.1f", held.latency().p95()),
              held == null ? last.errors() : held.errors(),
              holdSeconds,
              last.held(bound) ? "" : " failed_at_qps=" + last.rate());
        });
    return 0;
  }

  private void validate() {
    if (rates.isEmpty() || rates.stream().anyMatch(rate -> rate == null || rate <= 0)) {
      throw new CliException("--rates needs positive queries-per-second values, e.g. 10,20,40", 2);
    }
    if (holdSeconds <= 0) {
      throw new CliException("--hold needs a positive number of seconds, e.g. --hold 60", 2);
    }
    if (timeoutMs <= 0 || target.p95BoundMs <= 0) {
      throw new CliException("--timeout-ms and --p95-bound-ms need positive values", 2);
    }
  }

  /**
   * Sends {@code rate × hold} requests, request {@code i} due at {@code i / rate} seconds after the
   * start, each on its own without waiting for earlier ones; then waits for every response (or its
   * timeout).
   */
  private Step hold(EngramClient client, List<String> texts, int first, int rate)
      throws InterruptedException {
    long total = (long) rate * holdSeconds;
    Recorder recorder = new Recorder(3);
    LongAdder errors = new LongAdder();
    Map<String, LongAdder> kinds = new ConcurrentHashMap<>();
    CountDownLatch answered = new CountDownLatch((int) total);
    Duration timeout = Duration.ofMillis(timeoutMs);
    long start = System.nanoTime();
    for (long i = 0; i < total; i++) {
      long due = start + i * NANOS_PER_SECOND / rate;
      for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
        LockSupport.parkNanos(wait);
      }
      String text = texts.get((int) ((first + i) % texts.size()));
      client
          .queryStatus(target.request(text), target.cached, timeout)
          .whenComplete(
              (status, failure) -> {
                recorder.recordValue(Math.max(0, (System.nanoTime() - due) / 1000));
                String kind = failure != null ? errorKind(failure) : statusKind(status);
                if (kind != null) {
                  errors.increment();
                  kinds.computeIfAbsent(kind, k -> new LongAdder()).increment();
                }
                answered.countDown();
              });
    }
    // Every request has a timeout, so every one completes; the margin covers a stalled client.
    if (!answered.await(timeoutMs + 30_000, TimeUnit.MILLISECONDS)) {
      kinds.computeIfAbsent("unanswered", k -> new LongAdder()).add(answered.getCount());
      errors.add(answered.getCount());
    }
    Map<String, Long> errorKinds = new TreeMap<>();
    kinds.forEach((kind, count) -> errorKinds.put(kind, count.sum()));
    return new Step(
        rate,
        total,
        errors.sum(),
        errorKinds,
        Percentiles.of(recorder.getIntervalHistogram()),
        loadAverage());
  }

  /**
   * The machine's one-minute load average at the end of a step, or null where the system does not
   * publish one: figures from a shared machine mean little without it.
   */
  private static Double loadAverage() {
    try {
      return Double.valueOf(Files.readString(LOAD_AVERAGE).trim().split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static String statusKind(int status) {
    return status / 100 == 2 ? null : "HTTP " + status;
  }

  private static String errorKind(Throwable failure) {
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    return cause instanceof HttpTimeoutException ? "timeout" : cause.getClass().getSimpleName();
  }
}
