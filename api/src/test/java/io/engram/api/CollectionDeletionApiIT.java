package io.engram.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.engram.contract.Collections;
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
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * {@code DELETE /v1/collections/{name}} end to end on the real Temporal dev server, PostgreSQL, a
 * worker and the API: 202, and from then on the collection is not found, not queried, not listed;
 * the deletion's status follows it to the end with the rows deleted by kind; another collection
 * still answers; an unknown collection is 404; a running rollout is 409 until it is aborted.
 */
@EngramServices
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CollectionDeletionApiIT extends ApiTestSupport implements TestPropertyProvider {
  @Inject EmbeddedServer server;
  @Inject CoreServices core;

  private String dbUrl;
  private EngramWorker worker;

  @Override
  public Map<String, String> getProperties() {
    dbUrl = EngramServicesExtension.postgres().createDatabase("collection_deletion_api_it");
    return serviceProperties(dbUrl, Map.of("engram.rollout.routing.ttl.ms", "0"));
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

  private Reply delete(String path) throws Exception {
    return call(null, "DELETE", path, null);
  }

  private Reply ask(String collection) throws Exception {
    return post("/v1/query", Map.of("query", ZooCorpus.question(1), "collection", collection));
  }

  @Test
  void a_deleted_collection_is_gone_at_once_and_its_rows_when_the_workflow_is_done()
      throws Exception {
    ZooCorpus.index(core, "zoo-gone");
    ZooCorpus.index(core, "zoo-stays");
    Reply session = post("/v1/sessions", Map.of("collection", "zoo-gone", "userId", "ann"));
    assertThat(session.status()).as(session.body()).isEqualTo(201);
    String sessionId = session.json().path("sessionId").asText();
    Reply asked =
        post(
            "/v1/query",
            Map.of(
                "query", ZooCorpus.question(2), "collection", "zoo-gone", "sessionId", sessionId));
    assertThat(asked.status()).as(asked.body()).isEqualTo(200);
    Reply shown = get("/v1/collections/zoo-gone");
    assertThat(shown.status()).as(shown.body()).isEqualTo(200);
    assertThat(shown.json().path("active").asLong()).isPositive();

    Reply started = delete("/v1/collections/zoo-gone");
    assertThat(started.status()).as(started.body()).isEqualTo(202);
    assertThat(started.json().path("workflowId").asText()).isEqualTo("delete-collection-zoo-gone");
    assertThat(started.json().path("collection").asText()).isEqualTo("zoo-gone");

    // From the 202 on, whether or not a worker has begun.
    assertProblem(get("/v1/collections/zoo-gone"), 404);
    assertProblem(ask("zoo-gone"), 404);
    assertProblem(post("/v1/sessions", Map.of("collection", "zoo-gone")), 404);
    assertThat(get("/v1/collections").json().path("collections"))
        .extracting(c -> c.path("name").asText())
        .contains("zoo-stays")
        .doesNotContain("zoo-gone");
    // Again while it runs: the same deletion; once it is done, nothing is left to delete.
    Reply again = delete("/v1/collections/zoo-gone");
    if (again.status() == 202) {
      assertThat(again.json().path("workflowId").asText()).isEqualTo("delete-collection-zoo-gone");
    } else {
      assertProblem(again, 404);
    }

    JsonNode done =
        await("the deletion ended")
            .atMost(Duration.ofMinutes(2))
            .pollInterval(Duration.ofMillis(200))
            .until(
                () -> get("/v1/collections/zoo-gone/deletion").json(),
                s -> !s.path("status").asText().equals("RUNNING"));
    assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("COMPLETED");
    assertThat(done.path("stage").asText()).isEqualTo("done");
    JsonNode deleted = done.path("deleted");
    assertThat(deleted.path("documents").asLong()).isEqualTo(ZooCorpus.ANIMALS.length);
    assertThat(deleted.path("chunks").asLong()).isPositive();
    assertThat(deleted.path("sessions").asLong()).isEqualTo(1);
    assertThat(deleted.path("turns").asLong()).isEqualTo(2);
    assertThat(deleted.path("query_log").asLong()).isEqualTo(1);
    assertThat(deleted.path("model_versions").asLong()).isEqualTo(1);
    assertThat(deleted.path(Collections.COLLECTION_ROW).asLong()).isEqualTo(1);

    assertProblem(get("/v1/collections/zoo-gone"), 404);
    assertProblem(ask("zoo-gone"), 404);
    assertProblem(delete("/v1/collections/zoo-gone"), 404);
    long documentsLeft =
        core.jdbi()
            .withHandle(
                h ->
                    h.createQuery("SELECT count(*) FROM documents WHERE collection = 'zoo-gone'")
                        .mapTo(Long.class)
                        .one());
    assertThat(documentsLeft).isZero();
    assertThat(ask("zoo-stays").status()).isEqualTo(200);
    assertThat(get("/v1/collections/zoo-stays").json().path("active").asLong())
        .isEqualTo(ZooCorpus.ANIMALS.length);
  }

  @Test
  void a_collection_marked_for_deletion_refuses_ingestions_and_a_delete_takes_it_up()
      throws Exception {
    ZooCorpus.index(core, "zoo-marked");
    // Marked as the API marks it before it starts the workflow (say Temporal then refused it).
    core.collectionDeletion().begin("zoo-marked");

    Reply ingest =
        post(
            "/v1/ingestions",
            Map.of("collection", "zoo-marked", "files", List.of(), "origin", "notes"));
    assertProblem(ingest, 409);
    assertThat(ingest.json().path("detail").asText()).contains("is being deleted");
    Reply shown = get("/v1/collections/zoo-marked");
    assertProblem(shown, 404);
    assertThat(shown.json().path("detail").asText())
        .isEqualTo("collection 'zoo-marked' is being deleted");
    Reply asked = ask("zoo-marked");
    assertProblem(asked, 404);
    assertThat(asked.json().path("detail").asText()).contains("is being deleted");
    assertProblem(get("/v1/collections/zoo-marked/deletion"), 404);

    Reply started = delete("/v1/collections/zoo-marked");
    assertThat(started.status()).as(started.body()).isEqualTo(202);
    JsonNode done =
        await("the deletion ended")
            .atMost(Duration.ofMinutes(2))
            .pollInterval(Duration.ofMillis(200))
            .until(
                () -> get("/v1/collections/zoo-marked/deletion").json(),
                s -> !s.path("status").asText().equals("RUNNING"));
    assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("COMPLETED");
    assertThat(done.path("deleted").path("documents").asLong()).isEqualTo(ZooCorpus.ANIMALS.length);
  }

  @Test
  void an_unknown_collection_is_not_found() throws Exception {
    assertProblem(delete("/v1/collections/never-was"), 404);
    assertProblem(get("/v1/collections/never-was/deletion"), 404);
    assertProblem(delete("/v1/collections/Not%20A%20Name"), 400);
  }

  @Test
  void a_running_rollout_is_aborted_first() throws Exception {
    ZooCorpus.indexWithStagedCandidate(core, "zoo-rolling");
    Map<String, Object> plan = new HashMap<>();
    plan.put("shadowShare", 1.0);
    plan.put("shadowMinQueries", 1000); // nobody asks: it stays in shadow until told
    plan.put("shadowBakeMs", 0);
    plan.put("steps", List.of(0.1));
    plan.put("stepBakeMs", 0);
    plan.put("stepMinQueries", 3);
    plan.put("interleaveShare", 0.2);
    plan.put("checkIntervalMs", 300);
    plan.put("timeBudgetMs", 240_000);
    Reply rollout =
        post("/v1/rollouts", Map.of("collection", "zoo-rolling", "version", 2, "plan", plan));
    assertThat(rollout.status()).as(rollout.body()).isEqualTo(202);
    String id = rollout.json().path("id").asText();
    await()
        .atMost(Duration.ofMinutes(1))
        .until(() -> get("/v1/rollouts/" + id).json(), r -> r.path("rolloutId").isNumber());

    Reply refused = delete("/v1/collections/zoo-rolling");
    assertProblem(refused, 409);
    // It names the rollout as the abort command takes it.
    assertThat(refused.json().path("detail").asText())
        .contains("abort it first", "./engram rollout abort " + id);
    // Refused, so nothing changed: the collection still answers.
    assertThat(get("/v1/collections/zoo-rolling").status()).isEqualTo(200);
    assertThat(ask("zoo-rolling").status()).isEqualTo(200);

    Reply aborted = post("/v1/rollouts/" + id + ":abort", Map.of("reason", "deleting it"));
    assertThat(aborted.status()).as(aborted.body()).isEqualTo(200);
    // Until the rollout's workflow has ended, it is still running work on the collection.
    Reply accepted =
        await("the deletion accepted once the rollout ended")
            .atMost(Duration.ofMinutes(1))
            .pollInterval(Duration.ofMillis(200))
            .until(() -> delete("/v1/collections/zoo-rolling"), r -> r.status() != 409);
    assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
    JsonNode done =
        await("the deletion ended")
            .atMost(Duration.ofMinutes(2))
            .pollInterval(Duration.ofMillis(200))
            .until(
                () -> get("/v1/collections/zoo-rolling/deletion").json(),
                s -> !s.path("status").asText().equals("RUNNING"));
    assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("COMPLETED");
    assertThat(done.path("deleted").path("rollouts").asLong()).isEqualTo(1);
    assertThat(done.path("deleted").path("model_versions").asLong()).isEqualTo(2);
    // Its rollout's workflow is still in Temporal, but the collection it spoke of is gone.
    Reply gone = get("/v1/rollouts/" + id);
    assertProblem(gone, 404);
    assertThat(gone.json().path("detail").asText()).contains("its collection was deleted");
    assertThat(gone.json().path("type").asText()).endsWith("/rollout-not-found");
  }
}
