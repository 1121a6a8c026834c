package io.engram.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.engram.core.CoreServices;
import io.engram.core.Hashing;
import io.engram.core.registry.ModelAliases;
import io.engram.core.registry.ModelRegistry;
import io.engram.core.registry.ModelVersions;
import io.engram.core.registry.RegisteredVersion;
import io.engram.core.training.RetrainingService;
import io.engram.core.tuning.Direction;
import io.engram.core.tuning.Studies;
import io.engram.testing.EngramServices;
import io.engram.testing.EngramServicesExtension;
import io.engram.workers.EngramWorker;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * Tenants on a real API and worker (dev profile): tenant {@code alpha} ingests a collection, opens
 * a session, asks in it, rates an answer, checks drift and evaluates; then a key of tenant {@code
 * beta}, with every scope, and the dev profile's loopback caller (the default tenant) call every
 * endpoint naming alpha's collection, session, query, blobs and workflows, and get what an unknown
 * one gets (404, or the same 400 as a hash never uploaded), never alpha's data. A tenant with a
 * collection of the same name sees only its own. The coverage is checked against the OpenAPI
 * document: an endpoint added later fails here until it is probed.
 */
@EngramServices
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class TenantIsolationIT extends ApiTestSupport implements TestPropertyProvider {
  /** What the API logs at start, captured from before it starts. */
  private static final ListAppender<ILoggingEvent> STARTUP = new ListAppender<>();

  static {
    STARTUP.start();
    ((Logger) LoggerFactory.getLogger("io.engram.api.auth.AccessFilter")).addAppender(STARTUP);
    // Logs a line while it serves a tenant's first query of a model version.
    ((Logger) LoggerFactory.getLogger("io.engram.core.query.QueryPipelines")).addAppender(STARTUP);
  }

  private static final String CORPUS =
      """
      {"_id": "d-aspirin", "title": "Aspirin and heart attacks", "text": "Daily low-dose aspirin reduces the risk of a first heart attack in adults."}
      {"_id": "d-coffee", "title": "Coffee and the liver", "text": "Regular coffee drinking is associated with lower rates of liver cirrhosis."}
      {"_id": "d-coral", "title": "Coral bleaching", "text": "Coral reefs bleach when sea temperatures rise above what the corals tolerate."}
      """;
  private static final String QUERIES =
      """
      {"_id": "1", "text": "Does aspirin prevent heart attacks?"}
      {"_id": "2", "text": "Is coffee good for the liver?"}
      """;
  private static final String QRELS =
      "query-id\tcorpus-id\tscore\n1\td-aspirin\t1\n2\td-coffee\t1\n";

  @Inject EmbeddedServer server;
  @Inject CoreServices core;

  private String dbUrl;
  private Path root;
  private EngramWorker worker;

  private String alpha;
  private String beta;
  private String corpusBlob;
  private String queriesBlob;
  private String qrelsBlob;
  private String ingestionId;
  private String evaluationId;
  private String sessionId;
  private String queryId;
  private long driftReportId;
  private String retrainingId;
  private long studyId;
  private String rolloutId;
  private long rolloutNumber;
  private long documentId;

  @Override
  public Map<String, String> getProperties() {
    try {
      root = Files.createTempDirectory("engram-tenants-root").toRealPath();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    dbUrl = EngramServicesExtension.postgres().createDatabase("tenant_isolation_it");
    return serviceProperties(dbUrl, Map.of("engram.ingest.roots", root.toString()));
  }

  @Override
  protected URI baseUri() {
    return URI.create(server.getURL().toString());
  }

  @BeforeAll
  void alphaBuildsUpData() throws Exception {
    worker = startWorker(dbUrl);
    // The dev profile's loopback caller is the operator: it makes each tenant's first key.
    alpha = createKey(null, "alpha", List.of("query", "ingest", "admin"));
    beta = createKey(null, "beta", List.of("query", "ingest", "admin"));

    corpusBlob = upload(alpha, CORPUS);
    queriesBlob = upload(alpha, QUERIES);
    qrelsBlob = upload(alpha, QRELS);
    ingestionId = ingest(alpha, "notes", corpusBlob, CORPUS);

    Reply session =
        call(alpha, "POST", "/v1/sessions", Map.of("collection", "notes", "userId", "ann"));
    assertThat(session.status()).as(session.body()).isEqualTo(201);
    assertThat(session.json().path("collection").asText()).isEqualTo("notes");
    sessionId = session.json().path("sessionId").asText();
    Reply answer =
        call(
            alpha,
            "POST",
            "/v1/query",
            Map.of("query", "does aspirin prevent heart attacks", "sessionId", sessionId));
    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    // Alpha sees its collection's names, never the key it is stored under.
    assertThat(answer.json().path("modelVersion").asText()).isEqualTo("notes/v1");
    queryId = answer.json().path("queryId").asText();
    await("alpha's query logged")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> call(alpha, "POST", "/v1/feedback", Map.of("queryId", queryId, "rating", 1)),
            r -> r.status() == 201);

    Reply drift = call(alpha, "POST", "/v1/drift/checks", Map.of("collection", "notes"));
    assertThat(drift.status()).as(drift.body()).isEqualTo(200);
    assertThat(drift.json().path("collection").asText()).isEqualTo("notes");
    driftReportId = drift.json().path("id").asLong();

    Reply evaluation =
        call(
            alpha,
            "POST",
            "/v1/evaluations",
            Map.of("dataset", "notes", "queriesBlob", queriesBlob, "qrelsBlob", qrelsBlob));
    assertThat(evaluation.status()).as(evaluation.body()).isEqualTo(202);
    evaluationId = evaluation.json().path("workflowId").asText();
    JsonNode evaluated = awaitEnd(alpha, "/v1/evaluations/" + evaluationId);
    assertThat(evaluated.path("collection").asText()).isEqualTo("notes");

    Reply retraining = call(alpha, "POST", "/v1/retrainings", Map.of("collection", "notes"));
    assertThat(retraining.status()).as(retraining.body()).isEqualTo(202);
    retrainingId = retraining.json().path("workflowId").asText();
    assertThat(call(alpha, "GET", "/v1/retrainings/" + retrainingId, null).status()).isEqualTo(200);
    // By the collection's name alone (./engram retrain --status): alpha's own, nobody else's.
    Reply byName = call(alpha, "GET", "/v1/retrainings/retrain-notes", null);
    assertThat(byName.status()).as(byName.body()).isEqualTo(200);
    assertThat(byName.json().path("workflowId").asText()).isEqualTo(retrainingId);
    assertThat(call(beta, "GET", "/v1/retrainings/retrain-notes", null).status()).isEqualTo(404);
    // A study of alpha's collection, as a retraining's search stores one.
    studyId =
        core.retraining()
            .studies()
            .create(
                new Studies.NewStudy(
                    "alpha~notes",
                    "retrain-alpha~notes/run-1",
                    Direction.MAXIMIZE,
                    RetrainingService.SPACE,
                    Studies.Strategy.random(7),
                    Studies.Start.NONE))
            .id();
    Reply study = call(alpha, "GET", "/v1/studies/" + studyId, null);
    assertThat(study.status()).as(study.body()).isEqualTo(200);
    assertThat(study.json().path("collection").asText()).isEqualTo("notes");
    // A rollout of a second version of alpha's collection, paused in shadow.
    RegisteredVersion v1 =
        core.registry().alias("alpha~notes", ModelAliases.CHAMPION).orElseThrow();
    core.registry()
        .register(
            ModelVersions.NewVersion.builder("alpha~notes", v1.indexVersionId(), v1.bundle())
                .gates(List.of())
                .createdBy("it")
                .reason("a candidate to roll out")
                .origin("it-alpha-notes-v2")
                .build(),
            List.of(ModelAliases.STAGING),
            new ModelRegistry.Change("it", "staged for the test", null));
    Reply rollout =
        call(alpha, "POST", "/v1/rollouts", Map.of("collection", "notes", "version", 2));
    assertThat(rollout.status()).as(rollout.body()).isEqualTo(202);
    rolloutId = rollout.json().path("id").asText();
    assertThat(rollout.json().path("collection").asText()).isEqualTo("notes");
    rolloutNumber =
        await("alpha's rollout stored")
            .atMost(Duration.ofMinutes(1))
            .until(
                () -> call(alpha, "GET", "/v1/rollouts/" + rolloutId, null).json(),
                r -> r.path("rolloutId").isNumber())
            .path("rolloutId")
            .asLong();
    Reply paused = call(alpha, "POST", "/v1/rollouts/" + rolloutId + ":pause", Map.of());
    assertThat(paused.status()).isEqualTo(200);
    assertThat(paused.json().path("paused").asBoolean()).as(paused.body()).isTrue();
  }

  /** One of alpha's documents, as alpha lists them. */
  private long alphasDocument() throws Exception {
    if (documentId == 0) {
      Reply page = call(alpha, "GET", "/v1/collections/notes/documents?limit=1", null);
      assertThat(page.status()).as(page.body()).isEqualTo(200);
      documentId = page.json().path("documents").get(0).path("id").asLong();
    }
    return documentId;
  }

  @AfterAll
  void stopWorker() {
    if (worker != null) {
      worker.close();
    }
  }

  /** One request another tenant makes about alpha's data, and the route it exercises. */
  private record Probe(String route, String method, String path, Object body) {}

  /** Every endpoint that can name a tenant's data, naming alpha's. */
  private List<Probe> probesOfAlphasData() throws Exception {
    String v1 = "/v1/models/notes/versions/1";
    String document = "/v1/collections/notes/documents/" + alphasDocument();
    return List.of(
        new Probe(
            "GET /v1/collections/{collection}/documents",
            "GET",
            "/v1/collections/notes/documents",
            null),
        new Probe("GET /v1/collections/{collection}/documents/{id}", "GET", document, null),
        new Probe("DELETE /v1/collections/{collection}/documents/{id}", "DELETE", document, null),
        new Probe("GET /v1/collections/{collection}", "GET", "/v1/collections/notes", null),
        new Probe("DELETE /v1/collections/{collection}", "DELETE", "/v1/collections/notes", null),
        new Probe(
            "GET /v1/collections/{collection}/deletion",
            "GET",
            "/v1/collections/notes/deletion",
            null),
        new Probe(
            "POST /v1/query",
            "POST",
            "/v1/query",
            Map.of("query", "aspirin", "collection", "notes")),
        new Probe(
            "POST /v1/query",
            "POST",
            "/v1/query",
            Map.of("query", "and coffee?", "sessionId", sessionId)),
        new Probe("POST /v1/sessions", "POST", "/v1/sessions", Map.of("collection", "notes")),
        new Probe(
            "GET /v1/sessions/{sessionId}/turns",
            "GET",
            "/v1/sessions/" + sessionId + "/turns",
            null),
        new Probe(
            "POST /v1/feedback", "POST", "/v1/feedback", Map.of("queryId", queryId, "rating", 1)),
        new Probe("GET /v1/models", "GET", "/v1/models?collection=notes", null),
        new Probe("GET /v1/models/{collection}/versions/{version}", "GET", v1, null),
        new Probe("GET /v1/models/{collection}/aliases", "GET", "/v1/models/notes/aliases", null),
        new Probe("GET /v1/models/{collection}/events", "GET", "/v1/models/notes/events", null),
        new Probe(
            "POST /v1/models/{collection}/aliases",
            "POST",
            "/v1/models/notes/aliases",
            Map.of("alias", "staging", "version", 1, "reason", "take it")),
        new Probe(
            "POST /v1/models/{collection}/versions/{version}:archive",
            "POST",
            v1 + ":archive",
            Map.of("reason", "take it")),
        new Probe(
            "PUT /v1/models/{collection}/versions/{version}/tags",
            "PUT",
            v1 + "/tags",
            Map.of("owner", "beta")),
        new Probe("GET /v1/drift/reports", "GET", "/v1/drift/reports?collection=notes", null),
        new Probe(
            "POST /v1/drift/checks", "POST", "/v1/drift/checks", Map.of("collection", "notes")),
        new Probe("GET /v1/ingestions/{workflowId}", "GET", "/v1/ingestions/" + ingestionId, null),
        new Probe(
            "GET /v1/evaluations/{workflowId}", "GET", "/v1/evaluations/" + evaluationId, null),
        new Probe(
            "POST /v1/retrainings",
            "POST",
            "/v1/retrainings",
            Map.of("collection", "notes", "force", true)),
        new Probe(
            "GET /v1/retrainings/{workflowId}", "GET", "/v1/retrainings/" + retrainingId, null),
        new Probe("GET /v1/studies/{id}", "GET", "/v1/studies/" + studyId, null),
        new Probe(
            "GET /v1/studies/{id}/chart.svg", "GET", "/v1/studies/" + studyId + "/chart.svg", null),
        new Probe(
            "POST /v1/evaluations",
            "POST",
            "/v1/evaluations",
            Map.of("dataset", "notes", "queriesBlob", queriesBlob, "qrelsBlob", qrelsBlob)),
        new Probe(
            "POST /v1/rollouts",
            "POST",
            "/v1/rollouts",
            Map.of("collection", "notes", "version", 2)),
        new Probe("GET /v1/rollouts", "GET", "/v1/rollouts?collection=notes", null),
        new Probe("GET /v1/rollouts/{id}", "GET", "/v1/rollouts/" + rolloutId, null),
        new Probe("GET /v1/rollouts/{id}", "GET", "/v1/rollouts/" + rolloutNumber, null),
        new Probe(
            "POST /v1/rollouts/{id}:approve",
            "POST",
            "/v1/rollouts/" + rolloutId + ":approve",
            Map.of()),
        new Probe(
            "POST /v1/rollouts/{id}:abort",
            "POST",
            "/v1/rollouts/" + rolloutId + ":abort",
            Map.of()),
        new Probe(
            "POST /v1/rollouts/{id}:pause",
            "POST",
            "/v1/rollouts/" + rolloutId + ":pause",
            Map.of()),
        new Probe(
            "POST /v1/rollouts/{id}:resume",
            "POST",
            "/v1/rollouts/" + rolloutId + ":resume",
            Map.of()),
        new Probe(
            "POST /v1/rollouts/{id}:undo",
            "POST",
            "/v1/rollouts/" + rolloutId + ":undo",
            Map.of()));
  }

  @Test
  void another_tenant_gets_404_for_every_endpoint_that_names_alphas_data() throws Exception {
    Map<String, String> others = new LinkedHashMap<>();
    others.put("beta", beta);
    others.put("default (dev loopback, no key)", null);
    for (Map.Entry<String, String> other : others.entrySet()) {
      for (Probe probe : probesOfAlphasData()) {
        Reply reply = call(other.getValue(), probe.method(), probe.path(), probe.body());
        assertThat(reply.status())
            .as("%s: %s %s -> %s", other.getKey(), probe.method(), probe.path(), reply.body())
            .isEqualTo(404);
        assertProblem(reply, 404);
        // It may repeat the id it was asked about (a workflow id names its collection), nothing
        // else of alpha's.
        assertThat(
                reply
                    .body()
                    .replace(ingestionId, "ID")
                    .replace(evaluationId, "ID")
                    .replace(retrainingId, "ID")
                    .replace(rolloutId, "ID"))
            .as("a 404 tells nothing of alpha's data")
            .doesNotContain("alpha", "aspirin", "Aspirin");
      }
    }

    // Alpha's own data is untouched by all that: the probes that would change it were refused.
    // Its collection is still there, not being deleted.
    Reply notes = call(alpha, "GET", "/v1/collections/notes", null);
    assertThat(notes.status()).isEqualTo(200);
    assertThat(notes.json().path("active").asLong()).isPositive();
    assertThat(call(alpha, "GET", "/v1/collections/notes/deletion", null).status()).isEqualTo(404);
    JsonNode version = call(alpha, "GET", "/v1/models/notes/versions/1", null).json();
    assertThat(version.path("status").asText()).isNotEqualTo("archived");
    assertThat(version.path("tags").has("owner")).isFalse();
    assertThat(version.toString()).doesNotContain("beta");
    // Staging is still the candidate alpha staged itself, not v1 as the refused move asked.
    assertThat(
            call(alpha, "GET", "/v1/models/notes/aliases", null)
                .json()
                .path("aliases")
                .path("staging")
                .asInt())
        .isEqualTo(2);
    // And alpha's rollout is still running, paused, as alpha left it.
    JsonNode rollout =
        await("alpha's pause applied")
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> call(alpha, "GET", "/v1/rollouts/" + rolloutId, null).json(),
                r -> r.path("paused").asBoolean());
    assertThat(rollout.path("status").asText()).isEqualTo("running");
    JsonNode turns = call(alpha, "GET", "/v1/sessions/" + sessionId + "/turns", null).json();
    assertThat(turns.path("turns")).hasSize(2); // alpha's question and its answer
    // The document the others tried to remove is still alpha's, and served.
    JsonNode documents =
        call(alpha, "GET", "/v1/collections/notes/documents?status=active", null)
            .json()
            .path("documents");
    assertThat(documents).extracting(d -> d.path("id").asLong()).contains(alphasDocument());
  }

  @Test
  void alphas_document_is_not_found_through_a_collection_of_the_same_name_of_another_tenant()
      throws Exception {
    // Gamma, a tenant of this test alone, has a collection called notes too: the lookup finds
    // gamma's, and the document must still be looked up in it alone.
    String gamma = createKey(null, "gamma", List.of("query", "ingest"));
    core.collections().ensure("gamma~notes");
    String document = "/v1/collections/notes/documents/" + alphasDocument();

    assertProblem(call(gamma, "GET", document, null), 404);
    assertProblem(call(gamma, "DELETE", document, null), 404);
    // Deleting a whole collection, even gamma's own, needs admin.
    assertProblem(call(gamma, "DELETE", "/v1/collections/notes", null), 403);

    assertThat(call(alpha, "GET", document, null).json().path("document").path("status").asText())
        .isEqualTo("active");
  }

  /**
   * Forgetting a user names no row by id: another tenant's admin asking to forget alpha's user ann
   * forgets its own ann, of whom it has nothing, and alpha's ann keeps her session and its turns.
   */
  @Test
  void forgetting_a_user_of_the_same_id_in_another_tenant_leaves_alphas_user_alone()
      throws Exception {
    for (String other : new String[] {beta, null}) {
      Reply forgotten = call(other, "DELETE", "/v1/users/ann/memory", null);
      assertThat(forgotten.status()).as(forgotten.body()).isEqualTo(200);
      for (String part : List.of("deleted", "anonymized")) {
        assertThat(forgotten.json().path(part))
            .as(part)
            .isNotEmpty()
            .allSatisfy(n -> assertThat(n.asLong()).isZero());
      }
    }
    JsonNode turns = call(alpha, "GET", "/v1/sessions/" + sessionId + "/turns", null).json();
    assertThat(turns.path("turns")).hasSizeGreaterThanOrEqualTo(2);
  }

  @Test
  void lines_logged_for_a_request_name_its_tenant() {
    assertThat(STARTUP.list)
        // The API's request threads; the worker in this JVM logs the same line for the evaluation.
        .filteredOn(e -> e.getThreadName().startsWith("io-executor"))
        .filteredOn(e -> e.getFormattedMessage().contains("alpha~notes/v1"))
        .isNotEmpty()
        .allSatisfy(e -> assertThat(e.getMDCPropertyMap()).containsEntry("tenant", "alpha"));
  }

  @Test
  void lists_show_only_the_callers_own_tenant() throws Exception {
    // Drift reports of every collection of the caller's tenant: alpha's own, nobody else's.
    JsonNode alphaReports = call(alpha, "GET", "/v1/drift/reports", null).json().path("reports");
    assertThat(alphaReports).extracting(r -> r.path("id").asLong()).contains(driftReportId);
    for (String other : new String[] {beta, null}) {
      JsonNode reports = call(other, "GET", "/v1/drift/reports", null).json().path("reports");
      assertThat(reports).extracting(r -> r.path("id").asLong()).doesNotContain(driftReportId);
    }
    // Collections: alpha's own by their names, nobody else's.
    JsonNode alphas = call(alpha, "GET", "/v1/collections", null).json().path("collections");
    assertThat(alphas).extracting(c -> c.path("name").asText()).contains("notes");
    assertThat(alphas.toString()).doesNotContain("~");
    for (String other : new String[] {beta, null}) {
      JsonNode collections = call(other, "GET", "/v1/collections", null).json().path("collections");
      assertThat(collections).extracting(c -> c.path("name").asText()).doesNotContain("notes");
    }
  }

  @Test
  void blobs_are_seen_and_referenced_only_by_the_tenant_that_uploaded_them() throws Exception {
    // Beta is not told that alpha holds these contents...
    Reply missing =
        call(beta, "POST", "/v1/blobs/missing", Map.of("hashes", List.of(corpusBlob, qrelsBlob)));
    assertThat(missing.status()).isEqualTo(200);
    assertThat(missing.json().path("missing"))
        .extracting(JsonNode::asText)
        .containsExactlyInAnyOrder(corpusBlob, qrelsBlob);
    assertThat(
            call(alpha, "POST", "/v1/blobs/missing", Map.of("hashes", List.of(corpusBlob)))
                .json()
                .path("missing"))
        .isEmpty();
    // ... nor may it ingest them: the same answer as a hash nobody uploaded.
    Reply borrowed = ingestReply(beta, "stolen", corpusBlob, CORPUS);
    Reply unknown = ingestReply(beta, "stolen", "e".repeat(64), CORPUS);
    assertProblem(borrowed, 400);
    assertProblem(unknown, 400);
    assertThat(borrowed.json().path("detail").asText().replace(corpusBlob, "H"))
        .isEqualTo(unknown.json().path("detail").asText().replace("e".repeat(64), "H"));
    // Uploading the same content makes it beta's own (stored once, PUT /v1/blobs).
    byte[] bytes = QRELS.getBytes(StandardCharsets.UTF_8);
    Reply put = call(beta, "PUT", "/v1/blobs/" + qrelsBlob, bytes);
    assertThat(put.status()).as(put.body()).isIn(200, 201);
    assertThat(
            call(beta, "POST", "/v1/blobs/missing", Map.of("hashes", List.of(qrelsBlob)))
                .json()
                .path("missing"))
        .isEmpty();
  }

  @Test
  void a_collection_of_the_same_name_in_another_tenant_is_another_collection() throws Exception {
    String gamma = createKey(null, "gamma", List.of("query", "ingest"));
    String own =
        """
        {"_id": "g-volcano", "title": "Volcanoes", "text": "Volcanic eruptions release sulphur dioxide that cools the climate."}
        """;
    ingest(gamma, "notes", upload(gamma, own), own);

    JsonNode answer =
        call(
                gamma,
                "POST",
                "/v1/query",
                Map.of("query", "aspirin heart attack", "collection", "notes", "topK", 10))
            .json();
    assertThat(answer.path("sources")).isNotEmpty();
    assertThat(answer.path("sources").toString()).contains("Volcan").doesNotContain("spirin");
    assertThat(answer.path("modelVersion").asText()).isEqualTo("notes/v1");
    JsonNode alphas =
        call(
                alpha,
                "POST",
                "/v1/query",
                Map.of("query", "volcanic eruptions", "collection", "notes", "topK", 10))
            .json();
    assertThat(alphas.path("sources").toString()).doesNotContain("olcan");
    assertThat(call(gamma, "GET", "/v1/models?collection=notes", null).json().path("versions"))
        .hasSize(1);
  }

  @Test
  void server_paths_of_a_tenant_are_confined_to_its_directory_under_the_roots() throws Exception {
    Files.writeString(root.resolve("installation.md"), "# Ours\n\nThe default tenant's file.");
    Path betas = Files.createDirectories(root.resolve("beta"));
    Files.writeString(betas.resolve("own.md"), "# Beta\n\nBeta's own file.");
    Path link = betas.resolve("escape");
    Files.createSymbolicLink(link, root);

    Reply own =
        call(
            beta,
            "POST",
            "/v1/ingestions",
            Map.of("collection", "files", "path", betas.resolve("own.md").toString()));
    assertThat(own.status()).as(own.body()).isEqualTo(202);
    for (Path escape :
        List.of(
            root.resolve("installation.md"),
            Path.of(betas + "/../installation.md"),
            link.resolve("installation.md"),
            Path.of(betas + "/../nothing-here.md"))) {
      Reply refused =
          call(
              beta,
              "POST",
              "/v1/ingestions",
              Map.of("collection", "files", "path", escape.toString()));
      assertThat(refused.status()).as(escape + ": " + refused.body()).isEqualTo(403);
      assertProblem(refused, 403);
    }
    // The default tenant's roots are the configured ones themselves...
    Reply installation =
        call(
            null,
            "POST",
            "/v1/ingestions",
            Map.of("collection", "files", "path", root.resolve("installation.md").toString()));
    assertThat(installation.status()).as(installation.body()).isEqualTo(202);
    // ...but for the directories of the other tenants in them.
    for (Path others : List.of(betas, betas.resolve("own.md"))) {
      Reply refused =
          call(
              null, "POST", "/v1/ingestions", Map.of("collection", "x", "path", others.toString()));
      assertProblem(refused, 403);
      assertThat(refused.json().path("detail").asText()).contains("tenant 'beta'");
    }
  }

  @Test
  void a_tenants_admin_key_manages_only_its_own_tenants_keys() throws Exception {
    String betaQuery = createKey(beta, null, List.of("query"));
    Reply othersKey =
        call(beta, "POST", "/v1/keys", Map.of("tenant", "alpha", "scopes", List.of("admin")));
    assertProblem(othersKey, 403);

    JsonNode listed = call(beta, "GET", "/v1/keys", null).json().path("keys");
    assertThat(listed)
        .isNotEmpty()
        .allSatisfy(k -> assertThat(k.path("tenant").asText()).isEqualTo("beta"));
    assertThat(listed.toString()).doesNotContain(betaQuery);
    assertProblem(call(beta, "GET", "/v1/keys?tenant=alpha", null), 403);

    long alphasKey =
        call(null, "GET", "/v1/keys?tenant=alpha", null)
            .json()
            .path("keys")
            .get(0)
            .path("id")
            .asLong();
    assertProblem(call(beta, "POST", "/v1/keys/" + alphasKey + ":revoke", null), 404);
    assertThat(call(alpha, "GET", "/v1/drift/reports", null).status()).isEqualTo(200);

    // The operator endpoints span every tenant: a tenant's admin key is not the operator.
    assertProblem(call(beta, "GET", "/v1/schedules", null), 403);
    assertProblem(call(beta, "GET", "/v1/faults", null), 403);
    assertProblem(call(beta, "GET", "/v1/memory/stats", null), 403);
    assertProblem(call(beta, "POST", "/v1/memory/promotions", Map.of("dryRun", true)), 403);
    assertThat(call(null, "GET", "/v1/memory/stats", null).status()).isEqualTo(200);
  }

  @Test
  void a_presented_key_that_is_unknown_or_revoked_gets_401_in_dev_too() throws Exception {
    String doomed = createKey(null, "delta", List.of("query"));
    assertThat(call(doomed, "GET", "/v1/drift/reports", null).status()).isEqualTo(200);
    long id =
        call(null, "GET", "/v1/keys?tenant=delta", null)
            .json()
            .path("keys")
            .get(0)
            .path("id")
            .asLong();
    assertThat(call(null, "POST", "/v1/keys/" + id + ":revoke", null).status()).isEqualTo(200);

    String unknown = "engram_" + "A".repeat(40);
    for (String key : new String[] {doomed, unknown, "not-a-key"}) {
      // From loopback, where no key at all would be served: a key that is presented must be good.
      assertProblem(call(key, "GET", "/v1/drift/reports", null), 401);
    }
  }

  @Test
  void dev_serves_loopback_calls_without_a_key_as_the_default_tenant_and_says_so_at_start()
      throws Exception {
    assertThat(STARTUP.list)
        .extracting(ILoggingEvent::getFormattedMessage)
        .anySatisfy(
            m ->
                assertThat(m)
                    .contains(
                        "requests WITHOUT a key from the loopback interface are served as tenant 'default'")
                    .contains("profile dev"));
    Reply reports = call(null, "GET", "/v1/drift/reports", null);
    assertThat(reports.status()).as(reports.body()).isEqualTo(200);
    Reply created = call(null, "POST", "/v1/keys", Map.of("scopes", List.of("query")));
    assertThat(created.json().path("apiKey").path("tenant").asText()).isEqualTo("default");
    assertThat(created.json().path("apiKey").path("createdBy").asText()).isEqualTo("loopback");
  }

  /**
   * Every endpoint of the OpenAPI document is either probed above with another tenant's ids, or
   * names no tenant's data by id (uploads and new ingestions, checked by their own tests), or is
   * the operator's or the keys' (checked above).
   */
  @Test
  void the_probes_cover_every_endpoint_of_the_openapi_document() throws Exception {
    JsonNode document = new YAMLMapper().readTree(call(null, "GET", "/openapi.yml", null).body());
    Set<String> routes = new LinkedHashSet<>();
    for (Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields();
        paths.hasNext(); ) {
      Map.Entry<String, JsonNode> path = paths.next();
      path.getValue()
          .fieldNames()
          .forEachRemaining(
              m -> routes.add(m.toUpperCase(java.util.Locale.ROOT) + " " + path.getKey()));
    }
    Set<String> covered = new LinkedHashSet<>();
    probesOfAlphasData().forEach(p -> covered.add(p.route()));
    covered.addAll(
        List.of(
            // blobs_are_seen_and_referenced_only_by_the_tenant_that_uploaded_them
            "POST /v1/blobs/missing",
            "PUT /v1/blobs/{sha256}",
            "POST /v1/ingestions",
            // lists_show_only_the_callers_own_tenant (and the probe of one collection's reports)
            "GET /v1/drift/reports",
            "GET /v1/collections",
            // forgetting_a_user_of_the_same_id_in_another_tenant_leaves_alphas_user_alone
            "DELETE /v1/users/{userId}/memory",
            // a_tenants_admin_key_manages_only_its_own_tenants_keys
            "POST /v1/keys",
            "GET /v1/keys",
            "POST /v1/keys/{id}:revoke",
            "GET /v1/schedules",
            "GET /v1/memory/stats",
            "POST /v1/memory/promotions",
            // the operator's fault switches (ScopePolicy.OPERATOR), like the schedules
            "GET /v1/faults",
            "PUT /v1/faults"));
    assertThat(covered).containsAll(routes);
  }

  private String createKey(String asKey, String tenant, List<String> scopes) throws Exception {
    Map<String, Object> body = new HashMap<>();
    body.put("scopes", scopes);
    if (tenant != null) {
      body.put("tenant", tenant);
    }
    Reply created = call(asKey, "POST", "/v1/keys", body);
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    return created.json().path("key").asText();
  }

  private String upload(String key, String text) throws Exception {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    String hash = Hashing.sha256(bytes);
    Reply reply = call(key, "PUT", "/v1/blobs/" + hash, bytes);
    assertThat(reply.status()).as(reply.body()).isIn(200, 201);
    return hash;
  }

  private Reply ingestReply(String key, String collection, String blob, String text)
      throws Exception {
    String path = "/data/" + collection + "/corpus.jsonl";
    return call(
        key,
        "POST",
        "/v1/ingestions",
        Map.of(
            "collection",
            collection,
            "origin",
            path,
            "files",
            List.of(
                Map.of(
                    "path",
                    path,
                    "sha256",
                    blob,
                    "size",
                    text.getBytes(StandardCharsets.UTF_8).length))));
  }

  private String ingest(String key, String collection, String blob, String text) throws Exception {
    Reply started = ingestReply(key, collection, blob, text);
    assertThat(started.status()).as(started.body()).isEqualTo(202);
    String workflowId = started.json().path("workflowId").asText();
    awaitEnd(key, "/v1/ingestions/" + workflowId);
    return workflowId;
  }

  private JsonNode awaitEnd(String key, String path) {
    JsonNode status =
        await(path + " ended")
            .atMost(Duration.ofMinutes(2))
            .pollInterval(Duration.ofMillis(200))
            .until(
                () -> call(key, "GET", path, null).json(),
                s -> !s.path("status").asText().equals("RUNNING"));
    assertThat(status.path("status").asText()).as(status.toString()).isEqualTo("COMPLETED");
    return status;
  }
}
