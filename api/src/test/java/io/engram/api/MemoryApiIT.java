package io.engram.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.engram.testing.EngramServices;
import io.engram.testing.EngramServicesExtension;
import io.engram.workers.EngramWorker;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The memory lifecycle through the HTTP API with a real worker on the real Temporal dev server: a
 * conversation triggers distillation every four exchanges, the facts come back as sources of later
 * answers and are cited, and the operator endpoints report the tiers and the schedules.
 */
@EngramServices
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class MemoryApiIT extends ApiTestSupport implements TestPropertyProvider {

  @Inject EmbeddedServer server;

  private String dbUrl;
  private EngramWorker worker;

  @Override
  public Map<String, String> getProperties() {
    dbUrl = EngramServicesExtension.postgres().createDatabase("memory_api_it");
    return serviceProperties(dbUrl, Map.of());
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

  @Test
  void a_conversation_is_distilled_recalled_cited_and_reported() throws Exception {
    String session = sessionOf("ida");
    JsonNode earlier = get("/v1/memory/stats").json();
    int active = earlier.path("episodic").path("active").asInt();
    int distilled = distilledToday(earlier);
    for (String turn :
        List.of(
            "I prefer green tea.", "I live in Lisbon.", "I'm allergic to peanuts.", "Thanks!")) {
      Reply reply = post("/v1/query", Map.of("query", turn, "sessionId", session));
      assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    }

    // Each statement signalled the session's distillation; the worker stores three facts.
    JsonNode stats =
        await(
            () -> {
              JsonNode s = get("/v1/memory/stats").json();
              return s.path("episodic").path("active").asInt() == active + 3 ? s : null;
            });
    assertThat(stats.path("working").path("openSessions").asInt()).isGreaterThanOrEqualTo(1);
    assertThat(distilledToday(stats)).isEqualTo(distilled + 3);

    JsonNode answer =
        post("/v1/query", Map.of("query", "What kind of tea do I like?", "sessionId", session))
            .json();
    List<JsonNode> memories = episodicSources(answer);
    assertThat(memories).isNotEmpty();
    assertThat(memories.get(0).path("snippet").asText()).isEqualTo("User prefers green tea");
    assertThat(memories.get(0).path("source").asText()).startsWith("memory:episodic/");
    // Without an LLM, a question about the asker is answered from the recalled fact, cited by its
    // position among the sources.
    int factNumber = answer.path("sources").size() - memories.size() + 1;
    assertThat(answer.path("answer").asText())
        .isEqualTo("User prefers green tea [" + factNumber + "]");
    assertThat(answer.path("citations").get(0).asInt()).isEqualTo(factNumber);

    // The answer's citation of the fact waits in the buffer for the salience job.
    await(() -> get("/v1/memory/stats").json().path("pendingCitations").asInt() >= 1 ? true : null);

    // Another session of someone else recalls nothing of it.
    String stranger =
        post("/v1/sessions", Map.of("collection", "default", "userId", "joe"))
            .json()
            .path("sessionId")
            .asText();
    JsonNode other =
        post("/v1/query", Map.of("query", "What kind of tea do I like?", "sessionId", stranger))
            .json();
    other.path("sources").forEach(s -> assertThat(s.path("tier").asText()).isEqualTo("document"));

    JsonNode schedules = get("/v1/schedules").json().path("schedules");
    List<String> ids = new ArrayList<>();
    schedules.forEach(s -> ids.add(s.path("id").asText()));
    assertThat(ids)
        .contains(
            "engram-promotion",
            "engram-salience",
            "engram-ttl-cleanup",
            "engram-session-cleanup",
            "engram-incremental-ingest")
        .doesNotHaveDuplicates();
    JsonNode promotion = null;
    for (JsonNode s : schedules) {
      if (s.path("id").asText().equals("engram-promotion")) {
        promotion = s;
      }
    }
    assertThat(promotion.path("spec").asText()).isEqualTo("0 3 * * *");
    assertThat(promotion.path("workflowType").asText()).isEqualTo("PromotionWorkflow");
    assertThat(promotion.path("jobType").asText()).isEqualTo("promotion");
    assertThat(promotion.path("nextRun").asText()).endsWith("T03:00:00Z");
    // Memory's own schedules, not ingestion's, drift's or retraining's.
    List<String> memoryIds = new ArrayList<>();
    get("/v1/memory/stats")
        .json()
        .path("schedules")
        .forEach(s -> memoryIds.add(s.path("id").asText()));
    assertThat(memoryIds)
        .containsExactlyInAnyOrder(
            "engram-promotion", "engram-salience", "engram-ttl-cleanup", "engram-session-cleanup");
    assertProblem(get("/v1/memory/stats?days=0"), 400);

    // A dry run on request: the facts are minutes old, so nothing would be promoted yet.
    Reply dry = post("/v1/memory/promotions", Map.of("dryRun", true));
    assertThat(dry.status()).as(dry.body()).isEqualTo(200);
    assertThat(dry.json().path("workflowId").asText()).startsWith("engram-promotion-dry-run-");
    assertThat(dry.json().path("result").path("dryRun").asBoolean()).isTrue();
    assertThat(dry.json().path("result").path("promoted").asInt()).isZero();
    assertThat(get("/v1/memory/stats").json().path("episodic").path("active").asInt())
        .isEqualTo(active + 3);
  }

  private interface Probe<T> {
    T get() throws Exception;
  }

  /**
   * A turn that tells something to remember is distilled at once, not when the session reaches its
   * next fourth exchange: the question right after it recalls it.
   */
  @Test
  void a_fact_told_is_recalled_by_the_next_question() throws Exception {
    String session = sessionOf("ivo");
    int before = get("/v1/memory/stats").json().path("episodic").path("active").asInt();
    Reply told =
        post("/v1/query", Map.of("query", "Actually I now live in Porto.", "sessionId", session));
    assertThat(told.json().path("intent").asText()).as(told.body()).isEqualTo("memory-statement");

    // Waited for without asking anything more, which would add exchanges of its own.
    await(
        () ->
            get("/v1/memory/stats").json().path("episodic").path("active").asInt() > before
                ? true
                : null);
    JsonNode answer =
        post("/v1/query", Map.of("query", "Where do I live?", "sessionId", session)).json();
    List<String> recalled =
        episodicSources(answer).stream().map(m -> m.path("snippet").asText()).toList();
    assertThat(recalled).as(answer.toString()).anyMatch(f -> f.contains("Porto"));
  }

  /** A new session of {@code user} in the default collection. */
  private String sessionOf(String user) throws Exception {
    return post("/v1/sessions", Map.of("collection", "default", "userId", user))
        .json()
        .path("sessionId")
        .asText();
  }

  /** The sources of an answer that are remembered facts (episodic memory). */
  private static List<JsonNode> episodicSources(JsonNode answer) {
    List<JsonNode> memories = new ArrayList<>();
    answer
        .path("sources")
        .forEach(
            s -> {
              if (s.path("tier").asText().equals("episodic")) {
                memories.add(s);
              }
            });
    return memories;
  }

  private static int distilledToday(JsonNode stats) {
    return stats.path("days").get(stats.path("days").size() - 1).path("distilled").asInt();
  }

  /** The probe's first non-null value. */
  private static <T> T await(Probe<T> probe) {
    return Awaitility.await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(250))
        .until(probe::get, Objects::nonNull);
  }

  @Override
  protected URI baseUri() {
    return URI.create(server.getURL().toString());
  }
}
