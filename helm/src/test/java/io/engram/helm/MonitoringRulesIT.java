package io.engram.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The dashboard and the alert rules of {@code engram/monitoring/}: the rules pass {@code promtool
 * check rules} and their unit tests ({@code engram-alerts.test.yaml}, {@code promtool test rules}),
 * the chart ships both files unchanged when asked to, and the jobs they select are the ones the
 * ServiceMonitor names. That every metric they name exists is MonitoringIT's (the api module), on a
 * live API and worker. {@code scripts/install-deps.sh helm} installs promtool and helm; without
 * them the tests are skipped.
 */
class MonitoringRulesIT {
  private static final Path MODULE = Path.of("").toAbsolutePath();
  private static final Path CHART = MODULE.resolve("engram");
  private static final Path RULES = CHART.resolve("monitoring/engram-alerts.yaml");
  private static final Path DASHBOARD = CHART.resolve("monitoring/engram-dashboard.json");
  private static final Set<String> JOBS = Set.of("engram-api", "engram-worker");

  private static Path bin;

  @BeforeAll
  static void tools() {
    bin =
        Path.of(
                Objects.requireNonNullElse(
                    System.getenv("ENGRAM_HOME"), MODULE.getParent().resolve(".engram").toString()))
            .resolve("bin");
  }

  @Test
  void promtool_accepts_the_rules() throws Exception {
    Result check = run(promtool(), "check", "rules", RULES.toString());
    assertThat(check.exit()).as(check.output()).isZero();
    assertThat(check.output()).contains("SUCCESS");
  }

  @Test
  void every_alert_fires_on_its_unit_test_series_and_only_there() throws Exception {
    Path tests = MODULE.resolve("src/test/resources/engram-alerts.test.yaml");
    Result result = run(promtool(), "test", "rules", tests.toString());
    assertThat(result.exit()).as(result.output()).isZero();
    assertThat(result.output()).contains("SUCCESS");
    // Every alert has a test that expects it to fire.
    String text = Files.readString(tests);
    for (String alert : alerts()) {
      assertThat(text).as(alert).containsPattern("alertname: " + alert + "\\s+exp_alerts:");
    }
  }

  @Test
  void rules_select_the_jobs_the_service_monitor_names() throws Exception {
    String rules = Files.readString(RULES) + Files.readString(DASHBOARD);
    Matcher m = Pattern.compile("job\\s*=~?\\s*\\\\?\"([^\"\\\\]*)\\\\?\"").matcher(rules);
    Set<String> jobs = new HashSet<>();
    while (m.find()) {
      jobs.add(m.group(1));
    }
    assertThat(jobs).contains("engram-api", "engram-worker");
    for (String job : jobs) {
      assertThat(JOBS).as(job).anyMatch(j -> job.equals(j) || j.matches(job));
    }
    Map<String, Object> monitor = named(render("values-production.yaml"), "ServiceMonitor");
    List<String> named = new ArrayList<>();
    for (Map<String, Object> endpoint : list(map(monitor, "spec"), "endpoints")) {
      for (Map<String, Object> r : list(endpoint, "relabelings")) {
        if ("job".equals(r.get("targetLabel"))) {
          named.add(endpoint.get("path") + " " + r.get("replacement"));
        }
      }
    }
    assertThat(named).containsExactlyInAnyOrder("/prometheus engram-api", "/metrics engram-worker");
  }

  @Test
  void the_chart_ships_the_rules_and_the_dashboard_unchanged_when_asked() throws Exception {
    List<Map<String, Object>> production = render("values-production.yaml");
    Map<String, Object> rule = named(production, "PrometheusRule");
    assertThat(map(rule, "spec")).isEqualTo(new Yaml().load(Files.readString(RULES)));
    assertThat(strings(map(rule, "metadata"), "labels")).containsEntry("release", "prometheus");

    Map<String, Object> dashboard =
        production.stream()
            .filter(d -> "ConfigMap".equals(d.get("kind")))
            .filter(d -> strings(map(d, "metadata"), "labels").containsKey("grafana_dashboard"))
            .findFirst()
            .orElseThrow();
    assertThat(strings(map(dashboard, "metadata"), "labels"))
        .containsEntry("grafana_dashboard", "1");
    Object shipped = new Yaml().load(strings(dashboard, "data").get("engram.json"));
    assertThat(shipped).isEqualTo(new Yaml().load(Files.readString(DASHBOARD)));

    // Off by default: a cluster without the Prometheus Operator has no PrometheusRule kind.
    List<Map<String, Object>> defaults = render("values.yaml");
    assertThat(defaults).noneMatch(d -> "PrometheusRule".equals(d.get("kind")));
    assertThat(defaults)
        .noneMatch(d -> strings(map(d, "metadata"), "labels").containsKey("grafana_dashboard"));
  }

  @Test
  void the_dashboard_is_well_formed() throws Exception {
    Map<String, Object> dashboard = new Yaml().load(Files.readString(DASHBOARD));
    assertThat(dashboard).containsKeys("uid", "title", "schemaVersion", "panels", "templating");
    Set<Object> ids = new HashSet<>();
    for (Map<String, Object> panel : list(dashboard, "panels")) {
      assertThat(ids.add(panel.get("id"))).as("panel id %s is unique", panel.get("id")).isTrue();
      if (!"row".equals(panel.get("type"))) {
        assertThat(map(panel, "datasource")).containsEntry("uid", "${datasource}");
        assertThat(list(panel, "targets")).as((String) panel.get("title")).isNotEmpty();
      }
    }
  }

  // ------------------------------------------------------------------ helpers

  private static List<String> alerts() throws IOException {
    List<String> alerts = new ArrayList<>();
    Map<String, Object> rules = new Yaml().load(Files.readString(RULES));
    for (Map<String, Object> group : list(rules, "groups")) {
      for (Map<String, Object> rule : list(group, "rules")) {
        alerts.add((String) rule.get("alert"));
      }
    }
    assertThat(alerts).isNotEmpty();
    return alerts;
  }

  private static String promtool() {
    Path promtool = bin.resolve("promtool");
    assumeTrue(
        Files.isExecutable(promtool),
        "promtool is not in " + bin + ": scripts/install-deps.sh helm");
    return promtool.toString();
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> render(String values) throws Exception {
    Path helm = bin.resolve("helm");
    assumeTrue(
        Files.isExecutable(helm), "helm is not in " + bin + ": scripts/install-deps.sh helm");
    Result r =
        run(
            helm.toString(),
            "template",
            "engram",
            CHART.toString(),
            "-f",
            CHART.resolve(values).toString());
    assertThat(r.exit()).as(r.output()).isZero();
    List<Map<String, Object>> docs = new ArrayList<>();
    for (Object doc : new Yaml().loadAll(r.output())) {
      if (doc instanceof Map<?, ?> m) {
        docs.add((Map<String, Object>) m);
      }
    }
    return docs;
  }

  private static Map<String, Object> named(List<Map<String, Object>> docs, String kind) {
    return docs.stream()
        .filter(d -> kind.equals(d.get("kind")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind));
  }

  private record Result(int exit, String output) {}

  private static Result run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(2, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException(String.join(" ", command) + " did not finish");
    }
    return new Result(p.exitValue(), out);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Map<String, Object> m, String key) {
    Object v = m == null ? null : m.get(key);
    return v == null ? Map.of() : (Map<String, Object>) v;
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> list(Map<String, Object> m, String key) {
    Object v = m == null ? null : m.get(key);
    return v == null ? List.of() : (List<Map<String, Object>>) v;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> strings(Map<String, Object> m, String key) {
    return (Map<String, String>) (Map<?, ?>) map(m, key);
  }
}
