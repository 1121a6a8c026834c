package io.engram.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.engram.core.CoreServices;
import io.engram.core.Hashing;
import io.engram.core.index.IndexParams;
import io.engram.core.index.IndexVersion;
import io.engram.core.registry.ModelAliases;
import io.engram.core.registry.ModelBundle;
import io.engram.core.registry.ModelRegistry;
import io.engram.core.registry.ModelVersions;
import io.engram.core.registry.RegisteredVersion;
import io.engram.core.rerank.RerankerSettings;
import io.engram.core.retrieval.RetrievalSettings;
import io.engram.core.rollout.Rollout;
import io.engram.core.rollout.RolloutPlan;
import io.engram.core.rollout.RolloutService;
import io.engram.core.tenant.ApiKeys;
import io.engram.core.tenant.Scope;
import io.engram.core.tenant.Tenant;
import io.engram.testing.EngramServices;
import io.engram.testing.EngramServicesExtension;
import io.engram.workers.EngramWorker;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * {@code /v1/models} against a real API and worker: versions registered through the registry the
 * API itself uses, listed and shown with their bundle, index, metrics and aliases; alias moves with
 * the previous champion and the audit; archive conflicts; production approval in an API started
 * with the {@code prod} profile; strict binding of the new bodies; and an evaluation of a
 * registered version that does not serve.
 */
@EngramServices
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ModelsApiIT extends ApiTestSupport implements TestPropertyProvider {
  private static final String CORPUS =
      """
      {"_id": "d-aspirin", "title": "Aspirin and heart attacks", "text": "Daily low-dose aspirin reduces the risk of a first heart attack in adults."}
      {"_id": "d-coffee", "title": "Coffee and the liver", "text": "Regular coffee drinking is associated with lower rates of liver cirrhosis."}
      {"_id": "d-coral", "title": "Coral bleaching", "text": "Coral reefs bleach when sea temperatures rise above what the corals tolerate."}
      """;

  @Inject EmbeddedServer server;
  @Inject CoreServices core;

  private String dbUrl;
  private EngramWorker worker;
  private ModelRegistry registry;

  @Override
  public Map<String, String> getProperties() {
    dbUrl = EngramServicesExtension.postgres().createDatabase("models_api_it");
    return serviceProperties(dbUrl, Map.of());
  }

  @Override
  protected URI baseUri() {
    return URI.create(server.getURL().toString());
  }

  /**
   * Ingests a three-document corpus into {@code tiny}, which makes the champion its version 1 (as a
   * start after the registry arrived would), and registers two more: v2 dense without a reranker,
   * v3 staged.
   */
  @BeforeAll
  void ingestAndRegister() throws Exception {
    worker = startWorker(dbUrl);
    registry = core.registry();
    String corpus = upload(CORPUS);
    Reply ingestion =
        post(
            "/v1/ingestions",
            Map.of(
                "collection",
                "tiny",
                "origin",
                "/data/tiny/corpus.jsonl",
                "files",
                List.of(
                    Map.of(
                        "path",
                        "/data/tiny/corpus.jsonl",
                        "sha256",
                        corpus,
                        "size",
                        CORPUS.getBytes(StandardCharsets.UTF_8).length))));
    awaitCompletion(ingestion.json().path("workflowId").asText());
    core.bootstrapRegistry();
    RetrievalSettings configured = core.settings().retrieval();
    register("tiny", "dense", configured.withMode(RetrievalSettings.Mode.DENSE), List.of());
    register("tiny", "staged", configured.withRerank(false), List.of(ModelAliases.STAGING));
  }

  @AfterAll
  void stopWorker() {
    if (worker != null) {
      worker.close();
    }
  }

  private RegisteredVersion register(
      String collection, String origin, RetrievalSettings retrieval, List<String> aliases) {
    core.collections().ensure(collection);
    return registry.register(
        ModelVersions.NewVersion.builder(
                collection,
                core.champion().id(),
                new ModelBundle(retrieval, RerankerSettings.none(), null))
            .metrics(Map.of("tiny/test/held-out", Map.of("ndcgAt10", 0.75, "recallAt100", 1.0)))
            .lineage(Map.of("fingerprint", "fp-" + origin, "parentVersion", 1))
            .gates(List.of(new RegisteredVersion.Gate("floor", true, "0.75 >= 0.5")))
            .createdBy("test")
            .reason("registered by the test (" + origin + ")")
            .origin(origin)
            .build(),
        aliases,
        new ModelRegistry.Change("test", "staged by the test", "retrain-test"));
  }

  @Test
  void the_versions_are_listed_newest_first_with_bundle_index_metrics_and_aliases()
      throws Exception {
    Reply reply = get("/v1/models?collection=tiny");

    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    JsonNode versions = reply.json().path("versions");
    assertThat(versions).extracting(v -> v.path("version").asInt()).containsExactly(3, 2, 1);
    JsonNode v1 = versions.get(2);
    assertThat(v1.path("label").asText()).isEqualTo("tiny/v1");
    assertThat(v1.path("aliases")).extracting(JsonNode::asText).containsExactly("champion");
    assertThat(v1.path("status").asText()).isEqualTo("registered");
    assertThat(v1.path("config").path("reranker").path("kind").asText()).isEqualTo("linear");
    assertThat(v1.path("config").path("reranker").path("artifact").asText())
        .isEqualTo(v1.path("artifacts").get(0).path("sha256").asText())
        .hasSize(64);
    assertThat(v1.path("config").path("answerModel").asText()).isEqualTo("extractive");
    assertThat(v1.path("indexVersion").path("embeddingModel").asText()).isEqualTo(MODEL);
    assertThat(v1.path("indexVersion").path("chunkSize").asInt()).isPositive();
    assertThat(v1.path("createdBy").asText()).isEqualTo("engram");
    assertThat(v1.path("createdAt").asText()).endsWith("Z");

    JsonNode v2 = versions.get(1);
    // Sent as an empty list, not left out: scripts read aliases as a list.
    assertThat(v2.path("aliases").isArray()).as(v2.toString()).isTrue();
    assertThat(v2.path("aliases")).isEmpty();
    assertThat(v2.path("config").path("retrieval").path("mode").asText()).isEqualTo("dense");
    assertThat(v2.path("config").path("reranker").path("kind").asText()).isEqualTo("none");
    assertThat(v2.path("metrics").path("tiny/test/held-out").path("ndcgAt10").asDouble())
        .isEqualTo(0.75);
    assertThat(v2.path("lineage").path("fingerprint").asText()).isEqualTo("fp-dense");
    assertThat(v2.path("gates").get(0).path("passed").asBoolean()).isTrue();
    assertThat(v2.path("tags").isObject()).isTrue();
    assertThat(v2.path("reason").asText()).isEqualTo("registered by the test (dense)");
    assertThat(versions.get(0).path("aliases"))
        .extracting(JsonNode::asText)
        .containsExactly("staging");

    core.collections().ensure("unregistered");
    JsonNode none = get("/v1/models?collection=unregistered").json().path("versions");
    assertThat(none.isArray()).isTrue();
    assertThat(none).isEmpty();

    JsonNode shown = get("/v1/models/tiny/versions/2").json();
    assertThat(shown).isEqualTo(v2);
    JsonNode aliases = get("/v1/models/tiny/aliases").json();
    assertThat(aliases.path("aliases").path("champion").asInt()).isEqualTo(1);
    assertThat(aliases.path("aliases").path("staging").asInt()).isEqualTo(3);
    assertThat(aliases.path("aliases").has("previous")).isFalse();
    JsonNode events = get("/v1/models/tiny/events?limit=1").json().path("events");
    assertThat(events).hasSize(1);
    assertThat(events.get(0).path("alias").asText()).isEqualTo("staging");
    assertThat(events.get(0).path("to").asInt()).isEqualTo(3);
    assertThat(events.get(0).path("workflowId").asText()).isEqualTo("retrain-test");
  }

  @Test
  void unknown_collections_and_versions_are_404_and_bad_names_400() throws Exception {
    Reply version = get("/v1/models/tiny/versions/9");
    assertProblem(version, 404);
    assertThat(version.json().path("type").asText()).endsWith("model-version-not-found");
    assertThat(version.json().path("detail").asText()).contains("tiny/v9");
    assertProblem(get("/v1/models?collection=nope"), 404);
    assertProblem(get("/v1/models/nope/aliases"), 404);
    assertProblem(get("/v1/models/nope/events"), 404);
    assertProblem(
        post("/v1/models/tiny/aliases", Map.of("alias", "champion", "version", 9, "reason", "x")),
        404);
    assertProblem(post("/v1/models/tiny/versions/9:archive", Map.of("reason", "x")), 404);
    assertProblem(get("/v1/models?collection=Not%20Valid"), 400);
    assertProblem(get("/v1/models"), 400);
    assertProblem(get("/v1/models/tiny/versions/two"), 400);
  }

  @Test
  void promoting_moves_the_champion_keeps_the_old_one_as_previous_and_audits_it() throws Exception {
    register("promote-it", "p1", core.settings().retrieval(), List.of(ModelAliases.CHAMPION));
    register("promote-it", "p2", core.settings().retrieval().withRerank(false), List.of());

    Reply moved =
        post(
            "/v1/models/promote-it/aliases",
            Map.of("alias", "champion", "version", 2, "reason", "v2 is better"));

    assertThat(moved.status()).as(moved.body()).isEqualTo(200);
    assertThat(moved.json().path("version").asInt()).isEqualTo(2);
    assertThat(moved.json().path("aliases"))
        .extracting(JsonNode::asText)
        .containsExactly("champion");
    JsonNode aliases = get("/v1/models/promote-it/aliases").json().path("aliases");
    assertThat(aliases.path("champion").asInt()).isEqualTo(2);
    assertThat(aliases.path("previous").asInt()).isEqualTo(1);
    JsonNode events = get("/v1/models/promote-it/events").json().path("events");
    assertThat(events)
        .extracting(
            e ->
                e.path("alias").asText()
                    + ":"
                    + e.path("from").asText("-")
                    + "->"
                    + e.path("to").asText("-")
                    + ":"
                    + e.path("actor").asText()
                    + ":"
                    + e.path("reason").asText())
        .containsExactly(
            // The dev profile's unauthenticated loopback caller made the move.
            "champion:1->2:loopback:v2 is better",
            "previous:-->1:loopback:champion moved to v2",
            "champion:-->1:test:staged by the test");

    Reply staged =
        post(
            "/v1/models/promote-it/aliases",
            Map.of("alias", "staging", "version", 1, "reason", "try it again"));
    assertThat(staged.status()).as(staged.body()).isEqualTo(200);
    assertThat(staged.json().path("aliases"))
        .extracting(JsonNode::asText)
        .containsExactly("staging", "previous");
  }

  @Test
  void the_champion_cannot_be_archived_and_an_archived_version_takes_no_alias() throws Exception {
    register("archive-it", "a1", core.settings().retrieval(), List.of(ModelAliases.CHAMPION));
    register("archive-it", "a2", core.settings().retrieval(), List.of(ModelAliases.STAGING));

    Reply champion = post("/v1/models/archive-it/versions/1:archive", Map.of("reason", "clean up"));
    assertProblem(champion, 409);
    assertThat(champion.json().path("type").asText()).endsWith("/conflict");
    assertThat(champion.json().path("detail").asText()).contains("serves as champion");

    Reply archived =
        post("/v1/models/archive-it/versions/2:archive", Map.of("reason", "superseded"));
    assertThat(archived.status()).as(archived.body()).isEqualTo(200);
    assertThat(archived.json().path("status").asText()).isEqualTo("archived");
    assertThat(archived.json().path("aliases").isArray()).isTrue();
    assertThat(archived.json().path("aliases")).isEmpty();
    JsonNode removal = get("/v1/models/archive-it/events?limit=1").json().path("events").get(0);
    assertThat(removal.path("alias").asText()).isEqualTo("staging");
    assertThat(removal.path("from").asInt()).isEqualTo(2);
    assertThat(removal.has("to")).isFalse();
    assertThat(removal.path("reason").asText()).isEqualTo("superseded");

    Reply promote =
        post(
            "/v1/models/archive-it/aliases",
            Map.of("alias", "champion", "version", 2, "reason", "back"));
    assertProblem(promote, 409);
    assertThat(promote.json().path("detail").asText()).contains("archived");
  }

  @Test
  void the_candidate_of_a_running_rollout_cannot_be_archived() throws Exception {
    register("archive-rollout", "ar1", core.settings().retrieval(), List.of(ModelAliases.CHAMPION));
    register("archive-rollout", "ar2", core.settings().retrieval(), List.of(ModelAliases.STAGING));
    Rollout r =
        core.rollouts()
            .begin(
                new RolloutService.Start(
                    "rollout-archive-rollout-v2",
                    "run-archive-rollout",
                    "archive-rollout",
                    2,
                    "manual",
                    "test",
                    null,
                    RolloutPlan.Overrides.NONE));
    try {
      Reply candidate =
          post("/v1/models/archive-rollout/versions/2:archive", Map.of("reason", "clean up"));

      assertProblem(candidate, 409);
      assertThat(candidate.json().path("detail").asText())
          .contains("candidate of the running rollout rollout-archive-rollout-v2")
          .contains("abort the rollout first");
      assertThat(registry.find("archive-rollout", 2).orElseThrow().status())
          .isEqualTo(RegisteredVersion.REGISTERED);
    } finally {
      core.rollouts().keep(r.id(), "test", "test over", "keep-archive-rollout");
    }
    // Once the rollout has ended it archives.
    assertThat(
            post("/v1/models/archive-rollout/versions/2:archive", Map.of("reason", "clean up"))
                .status())
        .isEqualTo(200);
  }

  @Test
  void production_refuses_a_champion_move_without_approval_and_says_how() throws Exception {
    register("prod-it", "prod-1", core.settings().retrieval(), List.of());
    Map<String, Object> properties =
        new HashMap<>(
            serviceProperties(
                dbUrl, Map.of("engram.profile", "prod", "engram.warm.up.questions", "0")));
    EmbeddedServer prodServer = ApplicationContext.run(EmbeddedServer.class, properties);
    try {
      ApiTestSupport api =
          new ApiTestSupport() {
            @Override
            protected URI baseUri() {
              return URI.create(prodServer.getURL().toString());
            }
          };

      // prod serves nothing without a key; the operator's key moves the default tenant's aliases.
      assertProblem(
          api.post(
              "/v1/models/prod-it/aliases",
              Map.of("alias", "champion", "version", 1, "reason", "ship it")),
          401);
      String key =
          new ApiKeys(core.jdbi())
              .create(Tenant.DEFAULT, "models-it", Set.of(Scope.ADMIN), "database")
              .token();
      Reply refused =
          api.call(
              key,
              "POST",
              "/v1/models/prod-it/aliases",
              Map.of("alias", "champion", "version", 1, "reason", "ship it"));
      assertProblem(refused, 403);
      assertThat(refused.json().path("type").asText()).endsWith("/approval-required");
      assertThat(refused.json().path("detail").asText()).contains("approve: true");
      assertThat(get("/v1/models/prod-it/aliases").json().path("aliases").has("champion"))
          .isFalse();

      Reply staged =
          api.call(
              key,
              "POST",
              "/v1/models/prod-it/aliases",
              Map.of("alias", "staging", "version", 1, "reason", "staging needs none"));
      assertThat(staged.status()).as(staged.body()).isEqualTo(200);
      Reply approved =
          api.call(
              key,
              "POST",
              "/v1/models/prod-it/aliases",
              Map.of("alias", "champion", "version", 1, "reason", "ship it", "approve", true));
      assertThat(approved.status()).as(approved.body()).isEqualTo(200);
      assertThat(approved.json().path("aliases")).extracting(JsonNode::asText).contains("champion");
    } finally {
      prodServer.getApplicationContext().close();
    }
  }

  @Test
  void the_new_bodies_are_bound_strictly() throws Exception {
    assertInvalid(
        "/v1/models/tiny/aliases", "{\"alias\":5,\"version\":1,\"reason\":\"x\"}", "/alias");
    assertInvalid(
        "/v1/models/tiny/aliases",
        "{\"alias\":\"champion\",\"version\":\"1\",\"reason\":\"x\"}",
        "/version");
    assertInvalid(
        "/v1/models/tiny/aliases",
        "{\"alias\":\"champion\",\"version\":1.5,\"reason\":\"x\"}",
        "/version");
    assertInvalid(
        "/v1/models/tiny/aliases", "{\"alias\":\"king\",\"version\":1,\"reason\":\"x\"}", "/alias");
    assertInvalid("/v1/models/tiny/aliases", "{\"alias\":\"champion\",\"version\":1}", "/reason");
    assertInvalid(
        "/v1/models/tiny/aliases",
        "{\"alias\":\"champion\",\"version\":1,\"reason\":\"x\",\"approve\":\"yes\"}",
        "/approve");
    assertInvalid(
        "/v1/models/tiny/aliases",
        "{\"alias\":\"champion\",\"version\":1,\"reason\":\"x\",\"force\":true}",
        "/force");
    assertInvalid("/v1/models/tiny/versions/3:archive", "{\"reason\":5}", "/reason");
    assertInvalid("/v1/models/tiny/versions/3:archive", "{}", "/reason");
    assertProblem(get("/v1/models/tiny/events?limit=0"), 400);
    assertThat(get("/v1/models/tiny/versions/3").json().path("status").asText())
        .isEqualTo("registered");
  }

  @Test
  void tags_are_set_and_removed() throws Exception {
    Reply set = putJson("/v1/models/tiny/versions/2/tags", "{\"owner\":\"ml\",\"note\":\"a\"}");
    assertThat(set.status()).as(set.body()).isEqualTo(200);
    assertThat(set.json().path("tags").path("owner").asText()).as(set.body()).isEqualTo("ml");

    Reply removed = putJson("/v1/models/tiny/versions/2/tags", "{\"note\":null}");
    assertThat(removed.status()).as(removed.body()).isEqualTo(200);
    assertThat(removed.json().path("tags").has("note")).isFalse();
    assertThat(removed.json().path("tags").path("owner").asText()).isEqualTo("ml");

    Reply number = putJson("/v1/models/tiny/versions/2/tags", "{\"owner\":5}");
    assertProblem(number, 400);
    assertThat(number.json().path("errors").get(0).path("pointer").asText()).isEqualTo("/owner");
    assertProblem(putJson("/v1/models/tiny/versions/2/tags", "{\"bad key\":\"x\"}"), 400);
    assertProblem(putJson("/v1/models/tiny/versions/2/tags", "{}"), 400);
    assertProblem(putJson("/v1/models/tiny/versions/9/tags", "{\"a\":\"b\"}"), 404);
    // Engram's own records are not for clients to forge or erase.
    Reply forged = putJson("/v1/models/tiny/versions/2/tags", "{\"archived\":null}");
    assertProblem(forged, 400);
    assertThat(forged.json().path("errors").get(0).path("pointer").asText()).isEqualTo("/archived");
    assertProblem(putJson("/v1/models/tiny/versions/2/tags", "{\"rollout\":\"promoted\"}"), 400);
  }

  @Test
  void an_evaluation_may_name_a_registered_version_that_does_not_serve() throws Exception {
    String queries =
        upload("{\"_id\": \"1\", \"text\": \"Does aspirin prevent heart attacks?\"}\n");
    String qrels = upload("query-id\tcorpus-id\tscore\n1\td-aspirin\t1\n");
    Map<String, Object> body =
        Map.of("dataset", "tiny", "model", "v2", "queriesBlob", queries, "qrelsBlob", qrels);

    Reply started = post("/v1/evaluations", body);

    assertThat(started.status()).as(started.body()).isEqualTo(202);
    String path = "/v1/evaluations/" + started.json().path("workflowId").asText();
    JsonNode result =
        await(path + " ended")
            .atMost(Duration.ofMinutes(2))
            .pollInterval(Duration.ofMillis(200))
            .until(() -> get(path).json(), s -> !s.path("status").asText().equals("RUNNING"));
    assertThat(result.path("status").asText()).as(result.toString()).isEqualTo("COMPLETED");
    assertThat(result.path("modelVersion").asText()).isEqualTo("tiny/v2");

    Map<String, Object> unknown = new HashMap<>(body);
    unknown.put("model", "v9");
    Reply missing = post("/v1/evaluations", unknown);
    assertProblem(missing, 404);
    assertThat(missing.json().path("detail").asText()).contains("tiny/v9");
    unknown.put("model", "other/v2");
    assertInvalid("/v1/evaluations", JSON.writeValueAsString(unknown), "/model");
  }

  @Test
  void the_openapi_document_describes_the_registry_endpoints() throws Exception {
    Reply document = get("/openapi.yml");

    JsonNode paths = new YAMLMapper().readTree(document.body()).path("paths");
    assertThat(paths.path("/v1/models").has("get")).isTrue();
    assertThat(paths.path("/v1/models/{collection}/versions/{version}").has("get")).isTrue();
    assertThat(paths.path("/v1/models/{collection}/aliases").has("get")).isTrue();
    assertThat(paths.path("/v1/models/{collection}/aliases").has("post")).isTrue();
    assertThat(paths.path("/v1/models/{collection}/events").has("get")).isTrue();
    assertThat(paths.path("/v1/models/{collection}/versions/{version}:archive").has("post"))
        .isTrue();
    assertThat(paths.path("/v1/models/{collection}/versions/{version}/tags").has("put")).isTrue();
  }

  @Test
  void ingestion_chunking_is_checked_against_the_index_the_collection_is_served_from()
      throws Exception {
    // "narrow" is served from an index of 256-character chunks (a retraining rebuilt it).
    core.collections().ensure("narrow");
    IndexVersion narrow = core.indexVersions().resolve(IndexParams.chunking(256, 32));
    registry.register(
        ModelVersions.NewVersion.builder("narrow", narrow.id(), core.defaultBundle())
            .createdBy("test")
            .reason("served from a rebuilt index")
            .origin("narrow")
            .build(),
        List.of(ModelAliases.CHAMPION),
        new ModelRegistry.Change("test", "the test serves it", null));

    // An overlap the champion's 1024-character chunks would take, but not the collection's own.
    assertInvalid(
        "/v1/ingestions",
        "{\"collection\":\"narrow\",\"path\":\"/x\",\"chunkOverlap\":300}",
        "/chunkOverlap");
    Reply refused =
        send(
            json(
                "/v1/ingestions",
                "{\"collection\":\"narrow\",\"path\":\"/x\",\"chunkOverlap\":300}"));
    assertThat(refused.body()).contains("chunk size 256");
    assertInvalid(
        "/v1/retrainings",
        "{\"collection\":\"narrow\",\"params\":{\"chunkOverlap\":\"300\"}}",
        "/params/chunkOverlap");
  }

  private void assertInvalid(String path, String body, String pointer) throws Exception {
    Reply reply = send(json(path, body));
    assertProblem(reply, 400);
    assertThat(reply.json().path("errors").get(0).path("pointer").asText())
        .as(reply.body())
        .isEqualTo(pointer);
  }

  private Reply putJson(String path, String body) throws Exception {
    return send(
        HttpRequest.newBuilder(baseUri().resolve(path))
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  private String upload(String text) throws Exception {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    String hash = Hashing.sha256(bytes);
    assertThat(put("/v1/blobs/" + hash, bytes).status()).isIn(200, 201);
    return hash;
  }
}
