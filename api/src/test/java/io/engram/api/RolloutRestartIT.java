package io.engram.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.engram.core.CoreServices;
import io.engram.core.config.EngramSettings;
import io.engram.testing.EngramServices;
import io.engram.testing.EngramServicesExtension;
import io.engram.testing.JavaProcesses;
import io.engram.testing.TestSettings;
import io.engram.testing.ZooCorpus;
import io.engram.workers.WorkerMain;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * A rollout mid-canary survives its processes, each in a JVM of its own as in production: the API
 * process and the worker process are both killed with SIGKILL and started anew. Afterwards every
 * conversation is served by the same arm as before, each answer by that arm's whole bundle (its
 * {@code modelVersion}), and the rollout is in the same phase and step, then takes an abort.
 */
@EngramServices
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class RolloutRestartIT extends ApiTestSupport {
  private static final String COLLECTION = "zoo-restart";

  private Map<String, String> values;
  private CoreServices core;
  private URI api;

  @Override
  protected URI baseUri() {
    return api;
  }

  @BeforeAll
  void setUp() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    api = URI.create("http://127.0.0.1:" + port);
    Map<String, String> extra = new HashMap<>();
    extra.put("ENGRAM_API_PORT", Integer.toString(port));
    extra.put("ENGRAM_API_HOST", "127.0.0.1");
    extra.put("ENGRAM_ROLLOUT_ROUTING_TTL_MS", "0");
    extra.put("ENGRAM_SCHEDULE_RETRAIN_ENABLED", "false");
    extra.put("ENGRAM_SCHEDULE_DRIFT_ENABLED", "false");
    values =
        TestSettings.withTemporal(
            EngramServicesExtension.postgres().createDatabase("rollout_restart_it"), extra);
    core = CoreServices.open(EngramSettings.of(values), "it", 2);
    ZooCorpus.indexWithStagedCandidate(core, COLLECTION);
  }

  @AfterAll
  void tearDown() {
    core.close();
  }

  /** {@code main} in a JVM of its own on this test's classpath, with the test's settings. */
  private Process start(Class<?> main, String name) throws IOException {
    return JavaProcesses.start(main, name, values);
  }

  private Process startApi() throws IOException {
    Process p = start(Application.class, "api");
    await("the API process answers /health")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .until(() -> get("/health").status() == 200);
    return p;
  }

  private JsonNode ask(String sessionId, int i) throws Exception {
    Reply reply = post("/v1/query", Map.of("query", ZooCorpus.question(i), "sessionId", sessionId));
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    return reply.json();
  }

  private JsonNode rollout(String id) throws Exception {
    Reply reply = get("/v1/rollouts/" + id);
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    return reply.json();
  }

  /**
   * The model version an arm's answers must carry: each ranking made by one whole bundle (an
   * interleaved answer names both, each ranking by its own).
   */
  private static String versionOf(String arm) {
    return switch (arm) {
      case "candidate" -> COLLECTION + "/v2";
      case "interleaved" -> "interleaved(" + COLLECTION + "/v1," + COLLECTION + "/v2)";
      default -> COLLECTION + "/v1";
    };
  }

  @Test
  void killed_api_and_worker_processes_change_neither_phase_nor_routing() throws Exception {
    Process worker = start(WorkerMain.class, "worker");
    Process apiProcess = startApi();
    try {
      Map<String, Object> plan = new HashMap<>();
      plan.put("shadowShare", 1.0);
      plan.put("shadowMinQueries", 3);
      plan.put("shadowBakeMs", 0);
      plan.put("steps", List.of(0.3, 0.6));
      // The first canary step bakes for an hour: the test happens inside it.
      plan.put("stepBakeMs", 3_600_000);
      plan.put("stepMinQueries", 1);
      plan.put("interleaveShare", 0.3);
      plan.put("checkIntervalMs", 300);
      plan.put("timeBudgetMs", 3_600_000);
      Reply started =
          post(
              "/v1/rollouts",
              Map.of("collection", COLLECTION, "version", 2, "reason", "restarts", "plan", plan));
      assertThat(started.status()).as(started.body()).isEqualTo(202);
      String id = started.json().path("id").asText();

      int[] asked = {0};
      await("the rollout reaches its first canary step")
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                post(
                    "/v1/query",
                    Map.of("query", ZooCorpus.question(asked[0]++ % 10), "collection", COLLECTION));
                return rollout(id).path("phase").asText().equals("canary");
              });
      Map<String, String> arms = new LinkedHashMap<>();
      for (int i = 0; i < 24; i++) {
        Reply session = post("/v1/sessions", Map.of("collection", COLLECTION));
        assertThat(session.status()).as(session.body()).isEqualTo(201);
        String sessionId = session.json().path("sessionId").asText();
        JsonNode answer = ask(sessionId, i);
        String arm = answer.path("arm").asText();
        assertThat(answer.path("modelVersion").asText()).isEqualTo(versionOf(arm));
        arms.put(sessionId, arm);
      }
      assertThat(arms.values()).contains("candidate", "champion");

      // Both processes die without a word, then start anew.
      apiProcess.destroyForcibly().waitFor();
      worker.destroyForcibly().waitFor();
      worker = start(WorkerMain.class, "worker-2");
      apiProcess = startApi();

      int i = 0;
      for (Map.Entry<String, String> e : arms.entrySet()) {
        JsonNode answer = ask(e.getKey(), i++);
        assertThat(answer.path("arm").asText()).as(e.getKey()).isEqualTo(e.getValue());
        assertThat(answer.path("modelVersion").asText()).isEqualTo(versionOf(e.getValue()));
      }
      JsonNode status = rollout(id);
      assertThat(status.path("phase").asText()).isEqualTo("canary");
      assertThat(status.path("step").asInt()).isEqualTo(1);

      // The new worker runs the rollout on: it takes the abort and rolls back.
      Reply aborted = post("/v1/rollouts/" + id + ":abort", Map.of("reason", "after the kills"));
      assertThat(aborted.status()).as(aborted.body()).isLessThan(300);
      JsonNode decided =
          await("the rollout is rolled back")
              .atMost(Duration.ofMinutes(2))
              .pollInterval(Duration.ofMillis(300))
              .until(() -> rollout(id), r -> r.path("status").asText().equals("rolled_back"));
      assertThat(decided.path("decisionReason").asText()).contains("after the kills");
      assertThat(ask(arms.keySet().iterator().next(), 0).path("modelVersion").asText())
          .isEqualTo(COLLECTION + "/v1");
    } finally {
      apiProcess.destroy();
      worker.destroy();
      apiProcess.waitFor(30, TimeUnit.SECONDS);
      worker.waitFor(30, TimeUnit.SECONDS);
    }
  }
}
