package io.engram.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.contract.Queries.QueryResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@code bench load} steps through its rates, against a stand-in API whose failures are set by
 * request count, so that the outcome does not depend on how fast this machine is.
 */
class BenchLoadCommandTest {

  private static final int WARM_UP = 3;

  @Test
  void stops_at_the_first_rate_with_errors_and_reports_the_rate_before_it(@TempDir Path dir)
      throws Exception {
    Path queries = queries(dir);
    AtomicInteger seen = new AtomicInteger();
    // Warm-up and the whole first rate (5 qps for 1 s) succeed; the second rate meets 503s.
    int failFrom = WARM_UP + 5;
    try (FakeApi api = new FakeApi()) {
      api.on(
          "POST",
          "/v1/query",
          request ->
              seen.getAndIncrement() < failFrom
                  ? FakeApi.Response.json(200, answer())
                  : FakeApi.Response.problem(503, "Service Unavailable", "database down"));

      CliRunner.Result result =
          CliRunner.run(
              Map.of("ENGRAM_API_URL", api.url()),
              "bench",
              "load",
              "--queries",
              queries.toString(),
              "--rates",
              "5,10,20",
              "--hold",
              "1",
              "--p95-bound-ms",
              "60000");

      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(result.out())
          .containsPattern("\\n +10 +10 +\\d+ .*failed: \\d+ errors \\{HTTP 503=\\d+\\}")
          .endsWith(
              "load max_qps=5 p95_ms="
                  + p95Of(result.out())
                  + " errors=0 hold_s=1"
                  + " failed_at_qps=10\n");
      // The 20 qps step never ran: warm-up, 5 and 10 requests only.
      assertThat(api.requests("POST", "/v1/query")).hasSize(WARM_UP + 5 + 10);
    }
  }

  @Test
  void every_request_of_a_step_is_sent_even_when_responses_are_slow(@TempDir Path dir)
      throws Exception {
    Path queries = queries(dir);
    try (FakeApi api = new FakeApi()) {
      api.on(
          "POST",
          "/v1/query",
          request -> {
            try {
              Thread.sleep(300);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return FakeApi.Response.json(200, answer());
          });

      CliRunner.Result result =
          CliRunner.run(
              Map.of("ENGRAM_API_URL", api.url()),
              "--json",
              "bench",
              "load",
              "--queries",
              queries.toString(),
              "--rates",
              "20",
              "--hold",
              "1",
              "--p95-bound-ms",
              "100");

      assertThat(result.exitCode()).as(result.err()).isZero();
      var json = EngramClient.JSON.readTree(result.out());
      // Open loop: 20 requests left within the second although each took 300 ms, and the
      // latency counts from when each was due, so p95 is at least the service time.
      assertThat(json.path("steps").get(0).path("sent").asLong()).isEqualTo(20);
      assertThat(api.requests("POST", "/v1/query")).hasSize(WARM_UP + 20);
      assertThat(json.path("steps").get(0).path("latency").path("p95").asDouble())
          .isGreaterThanOrEqualTo(300);
      assertThat(json.path("max_qps").asInt()).isZero();
      assertThat(json.path("failed_at_qps").asInt()).isEqualTo(20);
    }
  }

  @Test
  void a_rate_that_is_not_positive_is_a_usage_error(@TempDir Path dir) throws Exception {
    CliRunner.Result result =
        CliRunner.run(
            Map.of("ENGRAM_API_URL", "http://127.0.0.1:1"),
            // The name before bench load was grouped, still accepted for scripts.
            "bench-load",
            "--queries",
            queries(dir).toString(),
            "--rates",
            "10,0");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--rates needs positive queries-per-second values");
  }

  @Test
  void bench_query_and_load_help_reads_as_the_launcher_spells_them() {
    for (String which : new String[] {"query", "load"}) {
      CliRunner.Result help = CliRunner.run("bench", which, "--help");

      assertThat(help.exitCode()).isZero();
      assertThat(help.out()).contains("Usage: engram bench " + which).doesNotContain("bench-");
    }
    CliRunner.Result top = CliRunner.run("--help");
    assertThat(top.out()).contains("bench").doesNotContain("bench-query", "bench-load");
  }

  @Test
  void queries_is_optional_as_the_launcher_fills_it_in_and_a_usage_error_when_missing() {
    for (String which : new String[] {"query", "load"}) {
      CliRunner.Result help = CliRunner.run("bench", which, "--help");

      assertThat(help.out()).contains("[--queries=FILE]");
      assertThat(help.out().replaceAll("\\s+", " "))
          .contains("./engram passes ../shared/data/scifact/queries.jsonl");

      CliRunner.Result missing =
          CliRunner.run(Map.of("ENGRAM_API_URL", "http://127.0.0.1:1"), "bench", which);

      assertThat(missing.exitCode()).isEqualTo(CliException.USAGE);
      assertThat(missing.err())
          .startsWith("Missing --queries FILE: name a BEIR queries.jsonl")
          .contains("Usage: engram bench " + which);
    }
  }

  private static String p95Of(String out) {
    var matcher = java.util.regex.Pattern.compile("\\n +5 +5 +0 +[\\d.]+ +([\\d.]+) ").matcher(out);
    assertThat(matcher.find()).as(out).isTrue();
    return matcher.group(1);
  }

  private static Path queries(Path dir) throws Exception {
    return Files.writeString(
        dir.resolve("queries.jsonl"),
        "{\"_id\":\"1\",\"text\":\"What causes myelin loss?\"}\n"
            + "{\"_id\":\"2\",\"text\":\"Does vitamin D prevent fractures?\"}\n"
            + "{\"_id\":\"3\",\"text\":\"Do statins lower LDL?\"}\n");
  }

  private static QueryResponse answer() {
    return new QueryResponse(
        "q-1",
        "Myelin loss follows an autoimmune attack. [1]",
        "extractive",
        List.of(1),
        null,
        List.of(),
        "question",
        null,
        "local",
        null,
        "m",
        Map.of(),
        false,
        null);
  }
}
