package io.engram.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.engram.core.CoreServices;
import io.engram.testing.EngramServices;
import io.engram.testing.EngramServicesExtension;
import io.engram.testing.ZooCorpus;
import io.engram.workers.EngramWorker;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Rollouts end to end on the real Temporal dev server, PostgreSQL, a worker and the API: a
 * candidate whose interleaved results users click is promoted by the sequential test (champion
 * moves, the old one becomes previous, undo restores it); a slow candidate (a fault switch adding
 * latency to its retrieval) is rolled back in shadow and archived; queries answer their model
 * version and arm, and the query log records the arm.
 */
@EngramServices
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class RolloutApiIT extends ApiTestSupport implements TestPropertyProvider {
  @Inject EmbeddedServer server;
  @Inject CoreServices core;

  private String dbUrl;
  private EngramWorker worker;

  @Override
  public Map<String, String> getProperties() {
    dbUrl = EngramServicesExtension.postgres().createDatabase("rollout_api_it");
    return serviceProperties(
        dbUrl, Map.of("engram.faults.enabled", "true", "engram.rollout.routing.ttl.ms", "0"));
  }

  @Override
  protected URI baseUri() {
    return URI.create(server.getURL().toString());
  }

  @BeforeAll
  void startWorker() throws Exception {
    worker = startWorker(dbUrl);
  }

  @AfterAll
  void stopWorker() {
    if (worker != null) {
      worker.close();
    }
  }

  private static Map<String, Object> plan(double interleave, List<Double> steps) {
    Map<String, Object> plan = new HashMap<>();
    plan.put("shadowShare", 1.0);
    plan.put("shadowMinQueries", 5);
    plan.put("shadowBakeMs", 0);
    plan.put("steps", steps);
    plan.put("stepBakeMs", 0);
    plan.put("stepMinQueries", 3);
    plan.put("interleaveShare", interleave);
    plan.put("checkIntervalMs", 300);
    plan.put("timeBudgetMs", 240_000);
    return plan;
  }

  private JsonNode ask(String collection, int animal) throws Exception {
    Reply reply =
        post("/v1/query", Map.of("query", ZooCorpus.question(animal), "collection", collection));
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    return reply.json();
  }

  private JsonNode rollout(String id) throws Exception {
    Reply reply = get("/v1/rollouts/" + id);
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    return reply.json();
  }

  /** The arm that ranked each source of a logged interleaved query, once the log has it. */
  private List<String> teams(String queryId) {
    return await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                core.jdbi()
                    .withHandle(
                        h ->
                            h.createQuery(
                                    "SELECT array_to_string(teams, ',') FROM query_log"
                                        + " WHERE id = CAST(:id AS uuid)")
                                .bind("id", queryId)
                                .mapTo(String.class)
                                .findOne()),
            Optional::isPresent)
        .map(t -> List.of(t.split(",")))
        .orElseThrow();
  }

  @Test
  void users_preferring_the_candidate_promote_it_and_undo_restores_the_champion() throws Exception {
    ZooCorpus.indexWithStagedCandidate(core, "zoo-up");
    Reply started =
        post(
            "/v1/rollouts",
            Map.of(
                "collection",
                "zoo-up",
                "version",
                2,
                "reason",
                "a better ranking",
                "plan",
                plan(0.5, List.of(0.25))));
    assertThat(started.status()).as(started.body()).isEqualTo(202);
    String id = started.json().path("id").asText();
    assertThat(id).isEqualTo("rollout-zoo-up-v2");

    // Users click the first source the candidate ranked in every interleaved answer.
    String status = "running";
    int asked = 0;
    while (!status.equals("promoted") && asked < 600) {
      JsonNode answer = ask("zoo-up", asked++);
      String arm = answer.path("arm").asText();
      if (arm.equals("interleaved")) {
        List<String> teams = teams(answer.path("queryId").asText());
        int first = teams.indexOf("candidate");
        if (first >= 0) {
          post(
              "/v1/feedback",
              Map.of(
                  "queryId",
                  answer.path("queryId").asText(),
                  "rating",
                  1,
                  "source",
                  answer.path("sources").get(first).path("source").asText()));
        }
      } else if (arm.equals("candidate")) {
        assertThat(answer.path("modelVersion").asText()).isEqualTo("zoo-up/v2");
      } else if (!arm.isEmpty()) {
        assertThat(answer.path("modelVersion").asText()).isEqualTo("zoo-up/v1");
      }
      if (asked % 10 == 0) {
        status = rollout(id).path("status").asText();
      }
    }
    JsonNode done =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> rollout(id), r -> !r.path("status").asText().equals("running"));

    assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("promoted");
    assertThat(done.path("decisionReason").asText())
        .contains("the candidate wins the interleaved comparisons");
    assertThat(done.path("lastCheck").path("test").path("wins").asLong()).isPositive();
    assertThat(done.path("events"))
        .extracting(e -> e.path("kind").asText())
        .contains("phase", "decision");
    JsonNode aliases = get("/v1/models/zoo-up/aliases").json().path("aliases");
    assertThat(aliases.path("champion").asInt()).isEqualTo(2);
    assertThat(aliases.path("previous").asInt()).isEqualTo(1);
    assertThat(aliases.has("staging")).isFalse();
    long logged =
        core.jdbi()
            .withHandle(
                h ->
                    h.createQuery(
                            "SELECT count(*) FROM query_log q JOIN rollouts r ON r.id = q.rollout_id"
                                + " WHERE r.workflow_id = :id AND q.arm IS NOT NULL")
                        .bind("id", id)
                        .mapTo(Long.class)
                        .one());
    assertThat(logged).isPositive();
    JsonNode after = ask("zoo-up", 3);
    assertThat(after.path("modelVersion").asText()).isEqualTo("zoo-up/v2");
    assertThat(after.has("arm")).isFalse();

    Reply undone = post("/v1/rollouts/" + id + ":undo", Map.of("reason", "second thoughts"));
    assertThat(undone.status()).as(undone.body()).isEqualTo(200);
    assertThat(undone.json().path("status").asText()).isEqualTo("undone");
    assertThat(get("/v1/models/zoo-up/aliases").json().path("aliases").path("champion").asInt())
        .isEqualTo(1);
    assertThat(ask("zoo-up", 3).path("modelVersion").asText()).isEqualTo("zoo-up/v1");
    assertProblem(post("/v1/rollouts/" + id + ":undo", Map.of()), 409);
    assertProblem(post("/v1/rollouts/" + id + ":approve", Map.of()), 409);
  }

  @Test
  void a_signal_answers_with_its_effect_not_the_state_before_it() throws Exception {
    ZooCorpus.indexWithStagedCandidate(core, "zoo-signals");
    Map<String, Object> plan = plan(0.2, List.of(0.1));
    plan.put("shadowMinQueries", 1000); // nobody asks: it stays in shadow until told
    Reply started =
        post("/v1/rollouts", Map.of("collection", "zoo-signals", "version", 2, "plan", plan));
    assertThat(started.status()).as(started.body()).isEqualTo(202);
    String id = started.json().path("id").asText();
    await()
        .atMost(Duration.ofMinutes(1))
        .until(() -> rollout(id), r -> r.path("rolloutId").isNumber());

    Reply paused = post("/v1/rollouts/" + id + ":pause", Map.of("reason", "a look"));
    assertThat(paused.status()).as(paused.body()).isEqualTo(200);
    assertThat(paused.json().path("paused").asBoolean()).as(paused.body()).isTrue();
    Reply resumed = post("/v1/rollouts/" + id + ":resume", Map.of());
    assertThat(resumed.json().path("paused").asBoolean()).as(resumed.body()).isFalse();
    Reply aborted = post("/v1/rollouts/" + id + ":abort", Map.of("reason", "changed my mind"));
    assertThat(aborted.status()).as(aborted.body()).isEqualTo(200);
    assertThat(aborted.json().path("status").asText()).as(aborted.body()).isEqualTo("rolled_back");
    assertThat(aborted.json().path("decisionReason").asText()).contains("changed my mind");
  }

  @Test
  void a_slow_candidate_is_rolled_back_in_shadow_and_archived() throws Exception {
    ZooCorpus.indexWithStagedCandidate(core, "zoo-slow");
    setLatency("zoo-slow/v2", 250);
    try {
      rollsBackSlow();
    } finally {
      setLatency("zoo-slow/v2", 0);
    }
  }

  private void rollsBackSlow() throws Exception {
    Map<String, Object> plan = plan(0.2, List.of(0.1, 0.5));
    plan.put("shadowMinQueries", 1000);
    Reply started =
        post("/v1/rollouts", Map.of("collection", "zoo-slow", "version", 2, "plan", plan));
    assertThat(started.status()).as(started.body()).isEqualTo(202);
    String id = started.json().path("id").asText();
    assertProblem(
        post("/v1/rollouts", Map.of("collection", "zoo-slow", "version", 2, "plan", plan)), 409);

    String status = "starting";
    int asked = 0;
    while (!status.equals("rolled_back") && asked < 400) {
      JsonNode answer = ask("zoo-slow", asked++);
      // In shadow every answer is the champion's; the candidate only runs beside it.
      if (!answer.path("arm").isMissingNode()) {
        assertThat(answer.path("arm").asText()).isEqualTo("champion");
        assertThat(answer.path("modelVersion").asText()).isEqualTo("zoo-slow/v1");
      }
      if (asked % 10 == 0) {
        status = rollout(id).path("status").asText();
      }
    }
    JsonNode done =
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> rollout(id), r -> !r.path("status").asText().equals("running"));

    assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("rolled_back");
    assertThat(done.path("decisionReason").asText()).startsWith("latency: candidate p95");
    assertThat(done.path("lastCheck").path("exposure").asDouble()).isZero();
    assertThat(done.path("events"))
        .extracting(e -> e.path("kind").asText())
        .contains("check", "decision");
    JsonNode v2 = get("/v1/models/zoo-slow/versions/2").json();
    assertThat(v2.path("status").asText()).isEqualTo("archived");
    assertThat(get("/v1/models/zoo-slow/aliases").json().path("aliases").path("champion").asInt())
        .isEqualTo(1);
    JsonNode listed = get("/v1/rollouts?collection=zoo-slow").json().path("rollouts");
    assertThat(listed).extracting(r -> r.path("id").asText()).containsExactly(id);
    assertProblem(post("/v1/rollouts/" + id + ":abort", Map.of()), 409);
    // Its number names it too, whatever rollout of the version comes after it.
    JsonNode byNumber = rollout(done.path("rolloutId").asText());
    assertThat(byNumber.path("id").asText()).isEqualTo(id);
    assertThat(byNumber.path("status").asText()).isEqualTo("rolled_back");
    assertThat(byNumber.path("events").size()).isEqualTo(done.path("events").size());
    assertProblem(get("/v1/rollouts/999999999"), 404);
  }

  private void setLatency(String modelVersion, long millis) throws Exception {
    Reply fault =
        send(
            HttpRequest.newBuilder(URI.create(baseUri() + "/v1/faults"))
                .header("Content-Type", "application/json")
                .PUT(
                    HttpRequest.BodyPublishers.ofString(
                        JSON.writeValueAsString(
                            Map.of("modelVersion", modelVersion, "latencyMs", millis))))
                .build());
    assertThat(fault.status()).as(fault.body()).isEqualTo(200);
  }
}
