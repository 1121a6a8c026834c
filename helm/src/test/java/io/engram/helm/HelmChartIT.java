package io.engram.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.engram.core.config.SettingsSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.Yaml;

/**
 * The Helm chart, rendered by the real {@code helm} and validated against the Kubernetes JSON
 * schemas that {@code kubernetes-validate} vendors (offline), for the default and the production
 * values: then what it renders is checked against what the code reads (every ENGRAM_* a real
 * setting, probes on the health endpoints and ports the processes serve, the images the image build
 * writes). {@code ./engram test} installs both tools ({@code scripts/install-deps.sh helm}) first;
 * run alone without them, the test is skipped.
 */
class HelmChartIT {
  /** The oldest Kubernetes the chart supports (Chart.yaml kubeVersion) and the newest schemas. */
  private static final List<String> KUBERNETES = List.of("1.25.0", "1.37.0");

  private static final Path MODULE = Path.of("").toAbsolutePath();
  private static final Path CHART = MODULE.resolve("engram");
  private static final Path ROOT = MODULE.getParent();
  private static final Set<String> TASK_QUEUES = Set.of("ingest", "training", "maintenance", "llm");

  private static Path helm;
  private static Path validator;

  @BeforeAll
  static void tools() {
    Path bin =
        Path.of(
                Objects.requireNonNullElse(
                    System.getenv("ENGRAM_HOME"), ROOT.resolve(".engram").toString()))
            .resolve("bin");
    helm = bin.resolve("helm");
    validator = bin.resolve("kubernetes-validate");
    assumeTrue(
        Files.isExecutable(helm) && Files.isExecutable(validator),
        "helm and kubernetes-validate are not in " + bin + ": scripts/install-deps.sh helm");
  }

  // ------------------------------------------------------------------ lint and schemas

  @ParameterizedTest
  @ValueSource(strings = {"values.yaml", "values-production.yaml"})
  void lints_clean(String values) throws Exception {
    Result lint = run(helm.toString(), "lint", "--strict", CHART.toString(), "-f", values(values));
    assertThat(lint.exit()).as(lint.output()).isZero();
    assertThat(lint.output()).contains("0 chart(s) failed");
  }

  @ParameterizedTest
  @ValueSource(strings = {"values.yaml", "values-production.yaml"})
  void renders_manifests_the_kubernetes_schemas_accept(String values) throws Exception {
    Path rendered = MODULE.resolve("target").resolve("rendered-" + values);
    Files.createDirectories(rendered.getParent());
    Files.writeString(rendered, template(values));
    List<String> command = new ArrayList<>(List.of(validator.toString(), "--strict"));
    KUBERNETES.forEach(v -> command.addAll(List.of("-k", v)));
    command.add(rendered.toString());
    Result result = run(command.toArray(String[]::new));
    assertThat(result.exit()).as(result.output()).isZero();
    // Strict: unknown fields fail. A kind without a schema is only warned about; the CRDs the
    // chart renders are checked instead (serviceMonitor_scrapes_both_processes, and the
    // PrometheusRule by MonitoringRulesIT).
    assertThat(result.output().lines())
        .as(result.output())
        .noneMatch(l -> l.startsWith("ERROR") || l.startsWith("FATAL"))
        .filteredOn(l -> l.startsWith("WARN"))
        .allMatch(l -> l.contains("kind ServiceMonitor") || l.contains("kind PrometheusRule"));
  }

  // ------------------------------------------------------------------ what the code reads

  @ParameterizedTest
  @ValueSource(strings = {"values.yaml", "values-production.yaml"})
  void every_engram_variable_it_sets_is_a_setting(String values) throws Exception {
    Set<String> settings =
        SettingsSource.definitions().stream()
            .map(SettingsSource.Definition::key)
            .collect(Collectors.toCollection(TreeSet::new));
    settings.add(SettingsSource.PROFILE);
    List<Map<String, Object>> docs = render(values);
    Set<String> set = new TreeSet<>();
    for (Map<String, Object> doc : docs) {
      if ("ConfigMap".equals(doc.get("kind"))) {
        set.addAll(map(doc, "data").keySet());
      }
      for (Map<String, Object> c : containers(doc)) {
        list(c, "env").forEach(e -> set.add((String) e.get("name")));
      }
    }
    Set<String> engram =
        set.stream()
            .filter(n -> n.startsWith("ENGRAM_") || n.startsWith("TEMPORAL_"))
            .collect(Collectors.toCollection(TreeSet::new));
    assertThat(engram).contains("ENGRAM_PROFILE", "ENGRAM_DB_URL", "ENGRAM_DB_PASSWORD");
    assertThat(settings).containsAll(engram);
    Map<String, Object> config =
        docs.stream().filter(d -> "ConfigMap".equals(d.get("kind"))).findFirst().orElseThrow();
    assertThat(map(config, "data")).containsEntry("ENGRAM_PROFILE", "prod");
  }

  @ParameterizedTest
  @ValueSource(strings = {"values.yaml", "values-production.yaml"})
  void pods_run_as_non_root_on_a_read_only_root_with_an_empty_dir_at_tmp(String values)
      throws Exception {
    List<Map<String, Object>> pods =
        render(values).stream().filter(d -> !containers(d).isEmpty()).toList();
    assertThat(pods).hasSizeGreaterThanOrEqualTo(3);
    for (Map<String, Object> pod : pods) {
      Map<String, Object> spec = podSpec(pod);
      assertThat(map(spec, "securityContext")).containsEntry("runAsNonRoot", true);
      assertThat(list(spec, "volumes"))
          .anySatisfy(v -> assertThat(v).containsEntry("name", "tmp").containsKey("emptyDir"));
      for (Map<String, Object> c : containers(pod)) {
        assertThat(map(c, "securityContext"))
            .containsEntry("readOnlyRootFilesystem", true)
            .containsEntry("allowPrivilegeEscalation", false);
        assertThat(list(c, "volumeMounts"))
            .anySatisfy(
                m -> assertThat(m).containsEntry("name", "tmp").containsEntry("mountPath", "/tmp"));
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"values.yaml", "values-production.yaml"})
  void probes_ask_the_health_endpoints_on_the_port_each_process_listens_on(String values)
      throws Exception {
    for (Map<String, Object> d : deployments(render(values))) {
      Map<String, Object> c = containers(d).get(0);
      Map<String, Object> port = list(c, "ports").get(0);
      String component = labels(d).get("app.kubernetes.io/component");
      String setting = component.equals("api") ? "ENGRAM_API_PORT" : "ENGRAM_WORKER_METRICS_PORT";
      assertThat(env(c)).containsEntry(setting, String.valueOf(port.get("containerPort")));
      for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
        Map<String, Object> get = map(map(c, probe), "httpGet");
        assertThat(get.get("port")).isEqualTo(port.get("name"));
        assertThat((String) get.get("path")).startsWith("/health/");
      }
      assertThat(map(map(c, "readinessProbe"), "httpGet"))
          .containsEntry("path", "/health/readiness");
      assertThat(map(map(c, "livenessProbe"), "httpGet")).containsEntry("path", "/health/liveness");
    }
  }

  @Test
  void images_are_the_ones_the_image_build_writes() throws Exception {
    String script = Files.readString(ROOT.resolve("scripts/build-image.sh"));
    String tag = projectVersion().replace("-SNAPSHOT", "");
    Set<String> images = new TreeSet<>();
    for (Map<String, Object> doc : render("values.yaml")) {
      containers(doc).forEach(c -> images.add((String) c.get("image")));
    }
    assertThat(images)
        .containsExactly(
            shellVariable(script, "API_IMAGE") + ":" + tag,
            shellVariable(script, "WORKER_IMAGE") + ":" + tag);
    assertThat(Files.readString(CHART.resolve("Chart.yaml")))
        .contains("appVersion: \"" + tag + "\"");
  }

  // ------------------------------------------------------------------ shape of a deployment

  @Test
  void the_default_worker_polls_every_task_queue_and_both_processes_autoscale() throws Exception {
    List<Map<String, Object>> docs = render("values.yaml");
    List<Map<String, Object>> workers = workers(docs);
    assertThat(workers).hasSize(1);
    assertThat(
            Set.of(
                env(containers(workers.get(0)).get(0)).get("ENGRAM_WORKER_TASK_QUEUES").split(",")))
        .isEqualTo(TASK_QUEUES);
    assertThat(names(docs, "HorizontalPodAutoscaler"))
        .containsExactlyInAnyOrder("engram-api", "engram-worker-all");
    // The chart creates the credentials' Secret when no existing one is named.
    assertThat(names(docs, "Secret")).contains("engram");
  }

  @Test
  void production_splits_the_workers_into_groups_that_scale_apart() throws Exception {
    List<Map<String, Object>> docs = render("values-production.yaml");
    List<Map<String, Object>> workers = workers(docs);
    assertThat(workers).hasSizeGreaterThan(1);
    List<String> polled = new ArrayList<>();
    for (Map<String, Object> w : workers) {
      polled.addAll(List.of(env(containers(w).get(0)).get("ENGRAM_WORKER_TASK_QUEUES").split(",")));
    }
    assertThat(polled).containsExactlyInAnyOrderElementsOf(TASK_QUEUES);

    for (Map<String, Object> w : workers) {
      String name = (String) map(w, "metadata").get("name");
      String[] queues = env(containers(w).get(0)).get("ENGRAM_WORKER_TASK_QUEUES").split(",");
      Map<String, Object> hpa = named(docs, "HorizontalPodAutoscaler", name);
      List<Map<String, Object>> external =
          list(map(hpa, "spec"), "metrics").stream()
              .filter(m -> "External".equals(m.get("type")))
              .toList();
      // One backlog metric per task queue the group polls, labelled as the Temporal server labels
      // approximate_backlog_count: the queue as taskqueue, and the Temporal namespace, so that a
      // queue of the same name in another namespace is not summed in.
      List<Map<String, String>> selectors =
          external.stream()
              .map(m -> strings(m, "external", "metric", "selector", "matchLabels"))
              .toList();
      assertThat(selectors).extracting(s -> s.get("taskqueue")).containsExactlyInAnyOrder(queues);
      assertThat(selectors)
          .allSatisfy(
              s ->
                  assertThat(s)
                      .containsOnlyKeys("taskqueue", "namespace")
                      .containsEntry("namespace", "engram"));
      assertThat(named(docs, "PodDisruptionBudget", name)).isNotNull();
    }
    assertThat(named(docs, "PodDisruptionBudget", "engram-api")).isNotNull();
    // Credentials come from the operator's Secret; the chart renders none of its own.
    assertThat(names(docs, "Secret")).isEmpty();
    for (Map<String, Object> d : docs) {
      for (Map<String, Object> c : containers(d)) {
        list(c, "env").stream()
            .filter(e -> e.containsKey("valueFrom"))
            .forEach(
                e ->
                    assertThat(map(map(e, "valueFrom"), "secretKeyRef"))
                        .containsEntry("name", "engram-credentials"));
      }
    }
  }

  @Test
  void serviceMonitor_scrapes_both_processes() throws Exception {
    List<Map<String, Object>> docs = render("values-production.yaml");
    Map<String, Object> monitor = named(docs, "ServiceMonitor", "engram");
    assertThat(monitor.get("apiVersion")).isEqualTo("monitoring.coreos.com/v1");
    Map<String, String> selector = strings(map(map(monitor, "spec"), "selector"), "matchLabels");
    List<Map<String, Object>> endpoints = list(map(monitor, "spec"), "endpoints");
    assertThat(endpoints)
        .extracting(e -> e.get("port") + " " + e.get("path"))
        .containsExactlyInAnyOrder("http /prometheus", "metrics /metrics");
    // Each endpoint's port is a port of a Service the selector picks.
    for (Map<String, Object> e : endpoints) {
      assertThat(docs)
          .filteredOn(d -> "Service".equals(d.get("kind")))
          .filteredOn(d -> labels(d).entrySet().containsAll(selector.entrySet()))
          .anySatisfy(
              s ->
                  assertThat(list(map(s, "spec"), "ports"))
                      .anySatisfy(p -> assertThat(p).containsEntry("name", e.get("port"))));
    }
    assertThat(names(render("values.yaml"), "ServiceMonitor")).isEmpty();
    // The metrics are keyed in prod: the scraper presents the token the API and workers read.
    assertThat(endpoints)
        .hasSize(2)
        .allSatisfy(
            e -> {
              assertThat(map(e, "authorization")).containsEntry("type", "Bearer");
              assertThat(map(map(e, "authorization"), "credentials"))
                  .containsEntry("name", "engram-credentials")
                  .containsEntry("key", "metrics-token");
            });
    assertThat(containers(named(docs, "Deployment", "engram-api")))
        .allSatisfy(c -> assertThat(metricsToken(c)).doesNotContainKey("optional"));
    // The workers take it optionally: a Secret without the key must not stop them on an upgrade.
    assertThat(docs)
        .filteredOn(d -> "Deployment".equals(d.get("kind")))
        .filteredOn(d -> !"engram-api".equals(map(d, "metadata").get("name")))
        .isNotEmpty()
        .allSatisfy(
            d ->
                assertThat(containers(d))
                    .allSatisfy(c -> assertThat(metricsToken(c)).containsEntry("optional", true)));
    assertThat(templateFailure("--set", "serviceMonitor.enabled=true"))
        .contains("serviceMonitor.enabled needs metrics.token or metrics.existingSecret");
    assertThat(templateFailure("--set", "metrics.token=short"))
        .contains("metrics.token must be at least 16 characters");
  }

  @Test
  void migrations_run_before_install_and_upgrade_in_the_worker_image() throws Exception {
    for (String values : List.of("values.yaml", "values-production.yaml")) {
      List<Map<String, Object>> docs = render(values);
      Map<String, Object> job = named(docs, "Job", "engram-migrations");
      assertThat(strings(job, "metadata", "annotations"))
          .containsEntry("helm.sh/hook", "pre-install,pre-upgrade");
      Map<String, Object> c = containers(job).get(0);
      assertThat(c.get("image")).isEqualTo(containers(workers(docs).get(0)).get(0).get("image"));
      assertThat(c.get("command").toString())
          .contains("io.engram.migrations.Migrations", "/app/engram-workers.jar");
      assertThat(env(c)).containsKeys("ENGRAM_DB_URL", "ENGRAM_DB_USER");
      // A Secret the hook references exists before it runs: the operator's, or a hook of its own.
      String secret =
          (String)
              map(
                      map(
                          list(c, "env").stream()
                              .filter(e -> "ENGRAM_DB_PASSWORD".equals(e.get("name")))
                              .findFirst()
                              .orElseThrow(),
                          "valueFrom"),
                      "secretKeyRef")
                  .get("name");
      if (!secret.equals("engram-credentials")) {
        assertThat(strings(named(docs, "Secret", secret), "metadata", "annotations"))
            .containsEntry("helm.sh/hook", "pre-install,pre-upgrade")
            .containsEntry("helm.sh/hook-weight", "-10");
      }
    }
  }

  @Test
  void refuses_values_that_would_leave_work_unpolled_or_leak_credentials() throws Exception {
    assertThat(
            templateFailure(
                "--set",
                "worker.groups[0].name=a",
                "--set",
                "worker.groups[0].taskQueues={ingest}"))
        .contains("no group polls task queue \"training\"");
    assertThat(
            templateFailure(
                "--set",
                "worker.groups[0].name=a",
                "--set",
                "worker.groups[0].taskQueues={ingestion}"))
        .contains("\"ingestion\" is not a task queue");
    assertThat(templateFailure("--set", "config.ENGRAM_DB_PASSWORD=hunter2"))
        .contains("config.ENGRAM_DB_PASSWORD is a credential")
        .doesNotContain("hunter2");
    // Nor as a container's plain env: the per-process and per-group settings.
    assertThat(templateFailure("--set", "api.config.ENGRAM_LLM_API_KEY=hunter2"))
        .contains("api.config.ENGRAM_LLM_API_KEY is a credential")
        .doesNotContain("hunter2");
    assertThat(templateFailure("--set", "worker.config.ENGRAM_DB_PASSWORD=hunter2"))
        .contains("worker.config.ENGRAM_DB_PASSWORD is a credential")
        .doesNotContain("hunter2");
    assertThat(
            templateFailure(
                "-f",
                values("values-production.yaml"),
                "--set",
                "worker.groups[0].config.ENGRAM_LLM_API_KEY=hunter2"))
        .contains("worker.groups[ingest].config.ENGRAM_LLM_API_KEY is a credential")
        .doesNotContain("hunter2");
    assertThat(templateFailure("--set", "worker.defaults.config.ENGRAM_DB_PASSWORD=hunter2"))
        .contains("worker.groups[all].config.ENGRAM_DB_PASSWORD is a credential")
        .doesNotContain("hunter2");
  }

  @Test
  void refuses_any_credential_in_plain_settings_whatever_its_case() throws Exception {
    // The metrics token too, though the ConfigMap would otherwise take it in plain text.
    assertThat(templateFailure("--set", "config.ENGRAM_METRICS_TOKEN=abcdefghijklmnopqrst"))
        .contains("config.ENGRAM_METRICS_TOKEN is a credential: put it in the Secret")
        .contains("metrics.token, or key \"metrics-token\" of metrics.existingSecret")
        .doesNotContain("abcdefghijklmnopqrst");
    // Environment names are matched whatever their case.
    assertThat(templateFailure("--set", "worker.config.engram_db_password=hunter2"))
        .contains("worker.config.engram_db_password is a credential")
        .contains("key \"db-password\" of database.existingSecret")
        .doesNotContain("hunter2");
    assertThat(templateFailure("--set", "api.config.Engram_Llm_Api_Key=hunter2"))
        .contains("api.config.Engram_Llm_Api_Key is a credential")
        .contains("key \"llm-api-key\" of llm.existingSecret")
        .doesNotContain("hunter2");
    // A secret the chart does not know is refused as well, in every settings map.
    for (String where :
        List.of("config", "api.config", "worker.config", "worker.defaults.config")) {
      assertThat(templateFailure("--set", where + ".OTHER_SECRET=hunter2"))
          .contains(".OTHER_SECRET is a credential: keep it in a Secret")
          .doesNotContain("hunter2");
    }
    assertThat(
            templateFailure(
                "-f",
                values("values-production.yaml"),
                "--set",
                "worker.groups[1].config.webhook_token=hunter2"))
        .contains("worker.groups[training].config.webhook_token is a credential")
        .doesNotContain("hunter2");
    // A setting that merely mentions tokens is not one.
    assertThat(template("values.yaml", "--set", "api.config.ENGRAM_LLM_MAX_TOKENS=256"))
        .contains("ENGRAM_LLM_MAX_TOKENS");
  }

  @Test
  void refuses_two_worker_groups_of_one_name() throws Exception {
    assertThat(
            templateFailure(
                "--set",
                "worker.groups[0].name=a",
                "--set",
                "worker.groups[0].taskQueues={ingest,training}",
                "--set",
                "worker.groups[1].name=a",
                "--set",
                "worker.groups[1].taskQueues={maintenance,llm}"))
        .contains("worker.groups: two groups are named \"a\"");
  }

  /**
   * The README's install creates the operator's Secret by hand: it must hold every key the
   * production values read from it without {@code optional}, or the pods never start, and the one
   * the ServiceMonitor presents, or nothing is scraped.
   */
  @Test
  void the_readme_install_creates_every_secret_key_production_needs() throws Exception {
    String readme = Files.readString(ROOT.resolve("README.md"));
    Matcher block =
        Pattern.compile("\\*\\*Install\\*\\*:\\s*```bash\\n(.*?)```", Pattern.DOTALL)
            .matcher(readme);
    assertThat(block.find()).as("the README's Install block").isTrue();
    String install = block.group(1).replace("\\\n", " ");
    Matcher secret = Pattern.compile("create secret generic (\\S+)(.*)").matcher(install);
    assertThat(secret.find()).as(install).isTrue();
    Set<String> created = new TreeSet<>();
    Matcher literal = Pattern.compile("--from-literal=([^=\\s]+)=").matcher(secret.group(2));
    while (literal.find()) {
      created.add(literal.group(1));
    }

    List<Map<String, Object>> docs = render("values-production.yaml");
    Set<String> needed = new TreeSet<>();
    for (Map<String, Object> d : docs) {
      for (Map<String, Object> c : containers(d)) {
        list(c, "env").stream()
            .map(e -> map(map(e, "valueFrom"), "secretKeyRef"))
            .filter(ref -> secret.group(1).equals(ref.get("name")))
            .filter(ref -> !Boolean.TRUE.equals(ref.get("optional")))
            .forEach(ref -> needed.add((String) ref.get("key")));
      }
    }
    for (Map<String, Object> e :
        list(map(named(docs, "ServiceMonitor", "engram"), "spec"), "endpoints")) {
      needed.add((String) map(map(e, "authorization"), "credentials").get("key"));
    }
    assertThat(needed).contains("db-password", "metrics-token");
    assertThat(created).containsAll(needed);
  }

  // ------------------------------------------------------------------ helpers

  private static String values(String name) {
    return CHART.resolve(name).toString();
  }

  private static String template(String values, String... extra) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(helm.toString(), "template", "engram", CHART.toString(), "-f", values(values)));
    command.addAll(List.of(extra));
    Result r = run(command.toArray(String[]::new));
    assertThat(r.exit()).as(r.output()).isZero();
    return r.output();
  }

  private static String templateFailure(String... extra) throws Exception {
    List<String> command =
        new ArrayList<>(List.of(helm.toString(), "template", "engram", CHART.toString()));
    command.addAll(List.of(extra));
    Result r = run(command.toArray(String[]::new));
    assertThat(r.exit()).as(r.output()).isNotZero();
    return r.output();
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> render(String values) throws Exception {
    List<Map<String, Object>> docs = new ArrayList<>();
    for (Object doc : new Yaml().loadAll(template(values))) {
      if (doc instanceof Map<?, ?> m) {
        docs.add((Map<String, Object>) m);
      }
    }
    return docs;
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
  private static Map<String, String> strings(Map<String, Object> m, String... path) {
    Map<String, Object> at = m;
    for (String key : path) {
      at = map(at, key);
    }
    return (Map<String, String>) (Map<?, ?>) at;
  }

  private static Map<String, String> labels(Map<String, Object> doc) {
    return strings(doc, "metadata", "labels");
  }

  private static Map<String, Object> podSpec(Map<String, Object> doc) {
    return map(map(map(doc, "spec"), "template"), "spec");
  }

  private static List<Map<String, Object>> containers(Map<String, Object> doc) {
    return list(podSpec(doc), "containers");
  }

  /** A container's plain env values by name (not those from Secrets). */
  private static Map<String, String> env(Map<String, Object> container) {
    return list(container, "env").stream()
        .filter(e -> e.containsKey("value"))
        .collect(
            Collectors.toMap(e -> (String) e.get("name"), e -> String.valueOf(e.get("value"))));
  }

  private static Stream<Map<String, Object>> kind(List<Map<String, Object>> docs, String kind) {
    return docs.stream().filter(d -> kind.equals(d.get("kind")));
  }

  private static List<Map<String, Object>> deployments(List<Map<String, Object>> docs) {
    return kind(docs, "Deployment").toList();
  }

  private static List<Map<String, Object>> workers(List<Map<String, Object>> docs) {
    return kind(docs, "Deployment")
        .filter(d -> "worker".equals(labels(d).get("app.kubernetes.io/component")))
        .toList();
  }

  private static List<String> names(List<Map<String, Object>> docs, String kind) {
    return kind(docs, kind).map(d -> (String) map(d, "metadata").get("name")).toList();
  }

  private static Map<String, Object> named(
      List<Map<String, Object>> docs, String kind, String name) {
    return kind(docs, kind)
        .filter(d -> name.equals(map(d, "metadata").get("name")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
  }

  private static String shellVariable(String script, String name) {
    Matcher m = Pattern.compile("(?m)^" + name + "=\"([^\"]+)\"").matcher(script);
    assertThat(m.find()).as(name + " in scripts/build-image.sh").isTrue();
    return m.group(1);
  }

  private static String projectVersion() throws IOException {
    Matcher m =
        Pattern.compile("<artifactId>engram-parent</artifactId>\\s*<version>([^<]+)</version>")
            .matcher(Files.readString(ROOT.resolve("pom.xml")));
    assertThat(m.find()).isTrue();
    return m.group(1);
  }

  /** The secretKeyRef of a container's ENGRAM_METRICS_TOKEN. */
  private static Map<String, Object> metricsToken(Map<String, Object> container) {
    return list(container, "env").stream()
        .filter(e -> "ENGRAM_METRICS_TOKEN".equals(e.get("name")))
        .findFirst()
        .map(e -> map(map(e, "valueFrom"), "secretKeyRef"))
        .orElseThrow(
            () -> new AssertionError("no ENGRAM_METRICS_TOKEN in " + container.get("name")));
  }
}
