package io.engram.api;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.engram.contract.Problem;
import io.engram.contract.Queries;
import io.engram.contract.Sessions;
import io.engram.core.CoreServices;
import io.engram.core.Hashing;
import io.engram.core.collection.CollectionRegistry;
import io.engram.core.store.PgVectorChunkStore;
import io.engram.core.training.RetrainingService;
import io.engram.core.tuning.Direction;
import io.engram.core.tuning.Studies;
import io.engram.core.tuning.Study;
import io.engram.testing.EngramServices;
import io.engram.testing.EngramServicesExtension;
import io.engram.testing.TemporalDevServer;
import io.engram.workflows.common.EngramSearchAttributes;
import io.engram.workflows.ingestion.IngestionWorkflow;
import io.engram.workflows.training.RetrainingWorkflow;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.SearchAttributes;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * The HTTP contract as a client meets it, on a real API (PostgreSQL, Temporal): every malformed
 * request is a 4xx problem that names the offending field, never a 200 or a 5xx; a server failure
 * is a 500 that carries a request id and no exception text; {@code attached} says when an ingestion
 * or a retraining joined a running one; the OpenAPI document describes the endpoints with the
 * contract's fields.
 */
@EngramServices
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class HttpContractIT extends ApiTestSupport implements TestPropertyProvider {
  /** Small enough for a test to exceed, large enough for a 200 KB query to be read and refused. */
  private static final int MAX_REQUEST_BYTES = 256 * 1024;

  @Inject EmbeddedServer server;
  @Inject CoreServices core;

  private String dbUrl;
  private Path ingestRoot;

  @Inject WorkflowClient temporal;

  @Override
  public Map<String, String> getProperties() {
    dbUrl = EngramServicesExtension.postgres().createDatabase("http_contract_it");
    try {
      ingestRoot = Files.createTempDirectory("engram-contract-root");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return serviceProperties(
        dbUrl,
        Map.of(
            "micronaut.server.max-request-size",
            Integer.toString(MAX_REQUEST_BYTES),
            "engram.ingest.roots",
            ingestRoot.toString()));
  }

  /**
   * A collection created again while the deletion of an earlier one of its name is still closing
   * (its row gone, its run not yet ended) is deleted by a run of its own once that one has ended,
   * rather than attached to it and left marked with nobody to delete it. No worker runs in this
   * class: the closing run is one started here, ended by the test.
   */
  @Test
  void a_deletion_waits_for_an_earlier_collections_closing_run_and_starts_its_own()
      throws Exception {
    core.collections().ensure("again");
    String workflowId = "delete-collection-again";
    io.temporal.client.WorkflowStub closing =
        temporal.newUntypedWorkflowStub(
            "CollectionDeletionWorkflow",
            io.temporal.client.WorkflowOptions.newBuilder()
                .setWorkflowId(workflowId)
                .setTaskQueue("maintenance")
                .build());
    String closingRun = closing.start("again").getRunId();
    Thread ender =
        new Thread(
            () -> {
              try {
                Thread.sleep(1_000);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              temporal.newUntypedWorkflowStub(workflowId).terminate("the earlier deletion ended");
            });
    ender.start();
    try {
      Reply started =
          send(HttpRequest.newBuilder(baseUri().resolve("/v1/collections/again")).DELETE().build());
      assertThat(started.status()).as(started.body()).isEqualTo(202);
      ender.join();
      String run = temporal.newUntypedWorkflowStub(workflowId).describe().getExecution().getRunId();
      assertThat(run).isNotEqualTo(closingRun);
    } finally {
      ender.join();
      temporal.newUntypedWorkflowStub(workflowId).terminate("the test is done with it");
    }
  }

  /**
   * A second request for a source whose ingestion runs attaches to the run only when it asks the
   * same: one that asks other files or chunking would be dropped, so it is refused (409) and says
   * to send it again once the run has ended. No worker runs in this class, so the run stays open.
   */
  @Test
  void a_second_ingestion_of_a_running_source_attaches_only_when_it_asks_the_same()
      throws Exception {
    Path dir = Files.createDirectories(ingestRoot.resolve("running"));
    Files.writeString(dir.resolve("alpha.txt"), "Alpha is about glycolysis.");
    Map<String, Object> asked =
        Map.of(
            "path", dir.toString(), "collection", "attach", "chunkSize", 512, "chunkOverlap", 50);
    Reply first = post("/v1/ingestions", asked);
    assertThat(first.status()).as(first.body()).isEqualTo(202);
    String workflowId = first.json().path("workflowId").asText();
    try {
      assertThat(first.json().path("attached").asBoolean()).isFalse();

      Reply same = post("/v1/ingestions", asked);
      assertThat(same.status()).as(same.body()).isEqualTo(202);
      assertThat(same.json().path("attached").asBoolean()).isTrue();
      assertThat(same.json().path("runId").asText()).isEqualTo(first.json().path("runId").asText());

      Map<String, Object> rechunked = new java.util.HashMap<>(asked);
      rechunked.put("chunkSize", 1024);
      Reply other = post("/v1/ingestions", rechunked);
      assertProblem(other, 409);
      assertThat(other.json().path("detail").asText())
          .contains(workflowId, "other files or chunking", "send this again");
    } finally {
      temporal.newUntypedWorkflowStub(workflowId).terminate("the test is done with it");
    }
  }

  /**
   * A request that gives no chunking asks for the chunking the collection is served from, so one
   * that names that chunking asks the same and attaches, rather than being refused.
   */
  @Test
  void a_request_naming_the_served_chunking_asks_what_one_naming_none_asks() throws Exception {
    Path dir = Files.createDirectories(ingestRoot.resolve("served"));
    Files.writeString(dir.resolve("beta.txt"), "Beta is about the citric acid cycle.");
    Reply first = post("/v1/ingestions", Map.of("path", dir.toString(), "collection", "served"));
    assertThat(first.status()).as(first.body()).isEqualTo(202);
    String workflowId = first.json().path("workflowId").asText();
    try {
      // The champion of this installation chunks by 1024 characters with an overlap of 200.
      Reply named =
          post(
              "/v1/ingestions",
              Map.of(
                  "path",
                  dir.toString(),
                  "collection",
                  "served",
                  "chunkSize",
                  1024,
                  "chunkOverlap",
                  200));
      assertThat(named.status()).as(named.body()).isEqualTo(202);
      assertThat(named.json().path("attached").asBoolean()).isTrue();
      assertThat(named.json().path("runId").asText())
          .isEqualTo(first.json().path("runId").asText());
    } finally {
      temporal.newUntypedWorkflowStub(workflowId).terminate("the test is done with it");
    }
  }

  @Override
  protected URI baseUri() {
    return URI.create(server.getURL().toString());
  }

  private static Arguments hostile(
      String method, String path, String body, int status, String field) {
    return Arguments.of(method, path, body, status, field);
  }

  private static final String HASH = "0".repeat(64);

  static Stream<Arguments> hostileRequests() {
    String big = "x".repeat(200 * 1024);
    return Stream.of(
        // The query endpoint, from the list.
        hostile("POST", "/v1/query", "{\"query\":\"\"}", 400, "/query"),
        hostile("POST", "/v1/query", "{\"query\":\"   \"}", 400, "/query"),
        // Nothing the embedding model reads: zero-width space, byte-order mark, no-break space,
        // a direction mark, a lone combining accent.
        hostile("POST", "/v1/query", "{\"query\":\"\\u200b\"}", 400, "/query"),
        hostile("POST", "/v1/query", "{\"query\":\"\\ufeff\"}", 400, "/query"),
        hostile("POST", "/v1/query", "{\"query\":\"\\u00a0\"}", 400, "/query"),
        hostile("POST", "/v1/query", "{\"query\":\"\\u202e\\u200b\"}", 400, "/query"),
        hostile("POST", "/v1/query", "{\"query\":\"\\u0301\"}", 400, "/query"),
        hostile("POST", "/v1/query", "{\"query\":\"\\u3164\\u3164\"}", 400, "/query"),
        hostile("POST", "/v1/query", "{\"query\":\"\\u2800\"}", 400, "/query"),
        hostile("POST", "/v1/query", "{\"query\":null}", 400, "/query"),
        hostile("POST", "/v1/query", "{}", 400, "/query"),
        hostile("POST", "/v1/query", "{\"query\":42}", 400, "/query"),
        hostile("POST", "/v1/query", "{\"query\":true}", 400, "/query"),
        hostile("POST", "/v1/query", "{\"query\":[\"x\"]}", 400, "/query"),
        hostile("POST", "/v1/query", "{\"query\":{\"text\":\"x\"}}", 400, "/query"),
        hostile("POST", "/v1/query", "{\"query\":\"" + big + "\"}", 400, "/query"),
        hostile("POST", "/v1/query", "{\"query\":\"a\\u0000b\"}", 400, "/query"),
        hostile("POST", "/v1/query", "{\"query\":\"a\\ud800b\"}", 400, "/query"),
        hostile("POST", "/v1/query", "{\"query\":\"x\",\"topK\":2.5}", 400, "/topK"),
        hostile("POST", "/v1/query", "{\"query\":\"x\",\"topK\":\"5\"}", 400, "/topK"),
        hostile("POST", "/v1/query", "{\"query\":\"x\",\"topK\":[5]}", 400, "/topK"),
        hostile("POST", "/v1/query", "{\"query\":\"x\",\"topK\":-1}", 400, "/topK"),
        hostile("POST", "/v1/query", "{\"query\":\"x\",\"topK\":0}", 400, "/topK"),
        hostile("POST", "/v1/query", "{\"query\":\"x\",\"topK\":1000000}", 400, "/topK"),
        hostile("POST", "/v1/query", "{\"query\":\"x\",\"topK\":1e300}", 400, "/topK"),
        hostile("POST", "/v1/query", "{\"query\":\"x\",\"top_k\":5}", 400, "/top_k"),
        hostile("POST", "/v1/query", "{\"query\":\"x\",\"collection\":\"nope\"}", 404, null),
        hostile(
            "POST",
            "/v1/query",
            "{\"query\":\"x\",\"collection\":\"a\\u0000\"}",
            400,
            "/collection"),
        hostile(
            "POST",
            "/v1/query",
            "{\"query\":\"x\",\"sessionId\":\"../../etc/passwd\"}",
            400,
            "/sessionId"),
        hostile(
            "POST", "/v1/query", "{\"query\":\"x\",\"sessionId\":\"a\\u0000\"}", 400, "/sessionId"),
        hostile(
            "POST",
            "/v1/query",
            "{\"query\":\"x\",\"sessionId\":\"" + UUID.randomUUID() + "\"}",
            404,
            null),
        // Collections and their documents.
        hostile("GET", "/v1/collections/nope/documents", null, 404, null),
        hostile("GET", "/v1/collections/nope/documents?status=gone", null, 400, "status"),
        hostile("GET", "/v1/collections/nope/documents?limit=0", null, 400, null),
        hostile("GET", "/v1/collections/nope/documents?limit=501", null, 400, null),
        hostile("GET", "/v1/collections/nope/documents?limit=2.5", null, 400, null),
        hostile("GET", "/v1/collections/nope/documents?after=-1", null, 400, null),
        hostile("GET", "/v1/collections/nope/documents?after=x", null, 400, null),
        hostile("GET", "/v1/collections/nope/documents?after=9223372036854775808", null, 400, null),
        hostile("DELETE", "/v1/collections/nope/documents/9223372036854775808", "", 400, null),
        hostile("GET", "/v1/collections/NOPE!/documents", null, 400, null),
        hostile("GET", "/v1/collections/nope/documents/1", null, 404, null),
        hostile("GET", "/v1/collections/nope/documents/abc", null, 400, null),
        hostile("DELETE", "/v1/collections/nope/documents/1", "", 404, null),
        hostile("DELETE", "/v1/collections/nope/documents/abc", "", 400, null),
        hostile("DELETE", "/v1/collections/nope/documents/1.5", "", 400, null),
        hostile("POST", "/v1/query", "{not json", 400, ""),
        hostile("POST", "/v1/query", "[{\"query\":\"x\"}]", 400, ""),
        hostile("POST", "/v1/query", "[]", 400, ""),
        hostile("POST", "/v1/query", "\"x\"", 400, ""),
        hostile("POST", "/v1/query", "42", 400, ""),
        hostile("POST", "/v1/query", "", 400, ""),
        hostile("POST", "/v1/query", "{\"query\":\"x\",\"query\":\"y\"}", 400, ""),
        // The same classes of wrong input on the other bodies.
        hostile("POST", "/v1/ingestions", "{\"collection\":5,\"path\":\"/x\"}", 400, "/collection"),
        hostile(
            "POST", "/v1/ingestions", "{\"path\":\"/x\",\"chunkSize\":\"100\"}", 400, "/chunkSize"),
        hostile(
            "POST", "/v1/ingestions", "{\"path\":\"/x\",\"chunkSize\":150.5}", 400, "/chunkSize"),
        hostile("POST", "/v1/ingestions", "{\"files\":{\"path\":\"a\"}}", 400, "/files"),
        hostile(
            "POST",
            "/v1/ingestions",
            "{\"origin\":\"(rebuild)\",\"files\":[{\"path\":\"a.md\",\"sha256\":\""
                + "a".repeat(64)
                + "\",\"size\":1}]}",
            400,
            "/origin"),
        hostile(
            "POST",
            "/v1/ingestions",
            "{\"files\":[{\"path\":\"a\",\"sha256\":\"" + HASH + "\",\"size\":\"1\"}]}",
            400,
            "/files/0/size"),
        hostile(
            "POST",
            "/v1/ingestions",
            "{\"files\":[{\"path\":\"a\\u0000\",\"sha256\":\"" + HASH + "\",\"size\":1}]}",
            400,
            "/files/0/path"),
        hostile(
            "POST",
            "/v1/ingestions",
            "{\"files\":[{\"path\":\"a\",\"sha256\":\"\",\"size\":1}]}",
            400,
            "/files/0/sha256"),
        hostile("POST", "/v1/ingestions", "[]", 400, ""),
        hostile("POST", "/v1/ingestions", "{\"files\":[null]}", 400, "/files/0"),
        hostile(
            "POST",
            "/v1/ingestions",
            "{\"files\":[{\"path\":\"/\",\"sha256\":\"" + HASH + "\",\"size\":1}]}",
            400,
            "/files/0/path"),
        // The champion's chunk size (the default's 1024) is what an overlap alone is checked with.
        hostile(
            "POST",
            "/v1/ingestions",
            "{\"path\":\"/x\",\"chunkOverlap\":5000}",
            400,
            "/chunkOverlap"),
        hostile("POST", "/v1/keys", "{\"scopes\":[\"query\",null]}", 400, "/scopes/1"),
        hostile(
            "POST",
            "/v1/keys",
            "{\"scopes\":[\"query\"],\"name\":\"evil\\u001b[31m\\nFAKE\"}",
            400,
            "/name"),
        hostile("POST", "/v1/keys", "{\"scopes\":[\"query\"],\"name\":\"   \"}", 400, "/name"),
        hostile(
            "POST", "/v1/keys", "{\"scopes\":[\"query\"],\"name\":\"a\\u202eb\"}", 400, "/name"),
        hostile(
            "POST",
            "/v1/evaluations",
            "{\"dataset\":7,\"queriesBlob\":\"" + HASH + "\",\"qrelsBlob\":\"" + HASH + "\"}",
            400,
            "/dataset"),
        hostile(
            "POST",
            "/v1/evaluations",
            "{\"dataset\":\"d\",\"split\":\"validation\",\"queriesBlob\":\""
                + HASH
                + "\",\"qrelsBlob\":\""
                + HASH
                + "\"}",
            400,
            "/split"),
        hostile(
            "POST",
            "/v1/evaluations",
            "{\"dataset\":\"d\",\"part\":0,\"queriesBlob\":\""
                + HASH
                + "\",\"qrelsBlob\":\""
                + HASH
                + "\"}",
            400,
            "/part"),
        hostile(
            "POST",
            "/v1/evaluations",
            "{\"dataset\":\"d\",\"answers\":2.5,\"queriesBlob\":\""
                + HASH
                + "\",\"qrelsBlob\":\""
                + HASH
                + "\"}",
            400,
            "/answers"),
        hostile(
            "POST",
            "/v1/evaluations",
            "{\"dataset\":\"d\",\"queriesBlob\":\"../x\",\"qrelsBlob\":\"" + HASH + "\"}",
            400,
            "/queriesBlob"),
        hostile(
            "POST",
            "/v1/feedback",
            "{\"queryId\":\"" + UUID.randomUUID() + "\",\"rating\":\"1\"}",
            400,
            "/rating"),
        hostile(
            "POST",
            "/v1/feedback",
            "{\"queryId\":\"" + UUID.randomUUID() + "\",\"rating\":true}",
            400,
            "/rating"),
        hostile(
            "POST",
            "/v1/feedback",
            "{\"queryId\":\"" + UUID.randomUUID() + "\",\"rating\":0.5}",
            400,
            "/rating"),
        hostile(
            "POST",
            "/v1/feedback",
            "{\"queryId\":\"" + UUID.randomUUID() + "\",\"rating\":null}",
            400,
            "/rating"),
        hostile("POST", "/v1/feedback", "{\"queryId\":5,\"rating\":1}", 400, "/queryId"),
        hostile("POST", "/v1/feedback", "{\"queryId\":\"../q\",\"rating\":1}", 400, "/queryId"),
        hostile("POST", "/v1/rollouts", "{\"collection\":\"c\",\"version\":0}", 400, "/version"),
        hostile(
            "POST", "/v1/rollouts", "{\"collection\":\"c\",\"version\":\"2\"}", 400, "/version"),
        hostile("POST", "/v1/rollouts", "{\"version\":2}", 400, "/collection"),
        hostile(
            "POST",
            "/v1/rollouts",
            "{\"collection\":\"c\",\"version\":2,\"plan\":{\"shadowShare\":2}}",
            400,
            "/plan/shadowShare"),
        hostile(
            "POST",
            "/v1/rollouts",
            "{\"collection\":\"c\",\"version\":2,\"plan\":{\"steps\":\"0.5\"}}",
            400,
            "/plan/steps"),
        hostile("POST", "/v1/rollouts", "{\"collection\":\"nope\",\"version\":2}", 404, null),
        // Versions are numbered from 1: a lower number is malformed, whether or not the collection
        // exists.
        hostile("GET", "/v1/models/nope/versions/-1", null, 400, "version"),
        hostile("GET", "/v1/models/nope/versions/0", null, 400, "version"),
        hostile("GET", "/v1/models/nope/versions/1", null, 404, null),
        hostile("POST", "/v1/models/nope/versions/0:archive", "{\"reason\":\"x\"}", 400, "version"),
        hostile("PUT", "/v1/models/nope/versions/-1/tags", "{\"a\":\"b\"}", 400, "version"),
        hostile("POST", "/v1/rollouts/rollout-nope-v2:abort", "{}", 404, null),
        hostile("POST", "/v1/rollouts/rollout-a%00b-v2:abort", "{}", 400, "id"),
        hostile("GET", "/v1/rollouts/rollout-a%00b-v2", null, 400, "id"),
        hostile("POST", "/v1/rollouts/rollout-nope-v2:approve", "{\"reason\":5}", 400, "/reason"),
        hostile("POST", "/v1/sessions", "{\"collection\":[]}", 400, "/collection"),
        hostile("POST", "/v1/sessions", "{\"userId\":5}", 400, "/userId"),
        hostile("POST", "/v1/sessions", "{\"userId\":\"\"}", 400, "/userId"),
        hostile("POST", "/v1/sessions", "{\"userId\":\"  \"}", 400, "/userId"),
        // Letters that show as nothing, and the replacement character of a broken encoding.
        hostile("POST", "/v1/sessions", "{\"userId\":\"\\u3164\"}", 400, "/userId"),
        hostile("POST", "/v1/sessions", "{\"userId\":\"\\u2800\"}", 400, "/userId"),
        hostile("POST", "/v1/sessions", "{\"userId\":\"\\ufffd\"}", 400, "/userId"),
        hostile("DELETE", "/v1/users/%FF/memory", "", 400, null),
        // The tenant is the key's: a query parameter no route reads is refused, not ignored.
        hostile("DELETE", "/v1/users/ann/memory?tenant=other", "", 400, "tenant"),
        hostile("GET", "/v1/models/nope/versions/1?verbose=true", null, 400, "verbose"),
        hostile("GET", "/v1/rollouts?limit=1&limit=500", null, 400, "limit"),
        hostile("GET", "/v1/models/nope/versions/2147483648", null, 400, "version"),
        // Given empty, or as digits other than 0-9 (Arabic-Indic, full-width) or with a plus,
        // which Java would read as a number.
        hostile("GET", "/v1/rollouts?limit=", null, 400, "limit"),
        hostile("GET", "/v1/models?collection=", null, 400, "collection"),
        hostile("GET", "/v1/rollouts?limit=%EF%BC%95", null, 400, "limit"),
        hostile("GET", "/v1/studies/%D9%A5", null, 400, "id"),
        hostile("GET", "/v1/studies/%2B5", null, 400, "id"),
        hostile("GET", "/v1/models/nope/versions/%EF%BC%95", null, 400, "version"),
        hostile(
            "GET", "/v1/drift/reports?" + "x".repeat(4000) + "=1", null, 400, "x".repeat(64) + "…"),
        hostile("DELETE", "/v1/users/%E3%85%A4/memory", "", 400, null),
        hostile("POST", "/v1/sessions", "{\"userId\":\"\\u00a0\"}", 400, "/userId"),
        hostile("POST", "/v1/sessions", "{\"userId\":\"\\u200b\"}", 400, "/userId"),
        hostile("POST", "/v1/sessions", "{\"userId\":\" ada \"}", 400, "/userId"),
        hostile("POST", "/v1/sessions", "{\"userId\":\"ada\\u001b[31m\"}", 400, "/userId"),
        hostile("POST", "/v1/sessions", "{\"userId\":\"u\\u0000\"}", 400, "/userId"),
        hostile("POST", "/v1/sessions", "{\"collection\":\"nope\"}", 404, null),
        hostile("POST", "/v1/sessions", "[]", 400, ""),
        hostile("POST", "/v1/memory/promotions", "42", 400, ""),
        hostile("POST", "/v1/blobs/missing", "{\"hashes\":\"" + HASH + "\"}", 400, "/hashes"),
        hostile("POST", "/v1/blobs/missing", "{\"hashes\":[1]}", 400, "/hashes/0"),
        hostile("POST", "/v1/blobs/missing", "{\"hashes\":[\"../etc\"]}", 400, "/hashes/0"),
        hostile("POST", "/v1/blobs/missing", "{\"hashes\":null}", 400, "/hashes"),
        hostile("POST", "/v1/memory/promotions", "{\"dryRun\":\"true\"}", 400, "/dryRun"),
        hostile("POST", "/v1/memory/promotions", "{\"dryRun\":null}", 400, "/dryRun"),
        hostile("POST", "/v1/retrainings", "{}", 400, "/collection"),
        hostile("POST", "/v1/retrainings", "{\"collection\":5}", 400, "/collection"),
        hostile("POST", "/v1/retrainings", "{\"collection\":\"Not Valid\"}", 400, null),
        hostile("POST", "/v1/retrainings", "{\"collection\":\"nope\"}", 404, null),
        hostile(
            "POST",
            "/v1/retrainings",
            "{\"collection\":\"default\",\"force\":\"yes\"}",
            400,
            "/force"),
        hostile(
            "POST",
            "/v1/retrainings",
            "{\"collection\":\"default\",\"labelled\":" + labelled("validation", HASH) + "}",
            400,
            "/labelled/split"),
        hostile(
            "POST",
            "/v1/retrainings",
            "{\"collection\":\"default\",\"labelled\":" + labelled("train", "../x") + "}",
            400,
            "/labelled/queriesBlob"),
        hostile(
            "POST",
            "/v1/retrainings",
            "{\"collection\":\"default\",\"labelled\":{\"queriesBlob\":\""
                + HASH
                + "\",\"qrelsBlob\":\""
                + HASH
                + "\"}}",
            400,
            "/labelled/dataset"),
        // Well formed, but the blobs were never uploaded.
        hostile(
            "POST",
            "/v1/retrainings",
            "{\"collection\":\"default\",\"labelled\":" + labelled("train", HASH) + "}",
            400,
            null),
        hostile(
            "POST",
            "/v1/retrainings",
            "{\"collection\":\"default\",\"params\":{\" \":\"1\"}}",
            400,
            "/params/ "),
        hostile(
            "POST",
            "/v1/retrainings",
            "{\"collection\":\"default\",\"params\":{\"wieght\":\"0.5\"}}",
            400,
            "/params/wieght"),
        hostile(
            "POST",
            "/v1/retrainings",
            "{\"collection\":\"default\",\"params\":{\"denseWeight\":\"2\"}}",
            400,
            "/params/denseWeight"),
        hostile(
            "POST",
            "/v1/retrainings",
            "{\"collection\":\"default\",\"params\":{\"denseWeight\":\"heavy\"}}",
            400,
            "/params/denseWeight"),
        hostile(
            "POST",
            "/v1/retrainings",
            "{\"collection\":\"default\",\"params\":{\"chunkSize\":\"12\"}}",
            400,
            "/params/chunkSize"),
        hostile(
            "POST",
            "/v1/retrainings",
            "{\"collection\":\"default\",\"params\":{\"chunkSize\":\"big\"}}",
            400,
            "/params/chunkSize"),
        hostile(
            "POST",
            "/v1/retrainings",
            "{\"collection\":\"default\",\"params\":{\"chunkSize\":\"256\",\"chunkOverlap\":\"300\"}}",
            400,
            "/params/chunkOverlap"),
        hostile(
            "POST",
            "/v1/retrainings",
            "{\"collection\":\"default\",\"params\":{\"embeddingModel\":\"gpt-9\"}}",
            400,
            "/params/embeddingModel"),
        hostile(
            "POST",
            "/v1/retrainings",
            "{\"collection\":\"default\",\"params\":{\"denseWeight\":0.5}}",
            400,
            "/params/denseWeight"),
        hostile(
            "POST",
            "/v1/retrainings",
            "{\"collection\":\"default\",\"params\":{\"denseWeight\":null}}",
            400,
            "/params/denseWeight"),
        hostile(
            "POST",
            "/v1/retrainings",
            "{\"collection\":\"default\",\"params\":[]}",
            400,
            "/params"),
        hostile("POST", "/v1/memory/promotions", "{\"dryRun\":1}", 400, "/dryRun"),
        // Path and query parameters.
        hostile("GET", "/v1/memory/stats?days=2.5", null, 400, "days"),
        hostile("GET", "/v1/memory/stats?days=0", null, 400, "days"),
        hostile("GET", "/v1/sessions/..%2F..%2Fetc%2Fpasswd/turns", null, 400, "sessionId"),
        hostile("GET", "/v1/sessions/" + UUID.randomUUID() + "/turns", null, 404, null),
        hostile("GET", "/v1/ingestions/ingest-a%00b", null, 400, "workflowId"),
        hostile("GET", "/v1/evaluations/eval-a%00b", null, 400, "workflowId"),
        hostile("GET", "/v1/ingestions/ingest-nothing-0000", null, 404, null),
        hostile("GET", "/v1/retrainings/retrain-a%00b", null, 400, "workflowId"),
        hostile("GET", "/v1/retrainings/retrain-nothing", null, 404, null),
        hostile("GET", "/v1/studies/first", null, 400, "id"),
        hostile("GET", "/v1/studies/424242", null, 404, null));
  }

  /** A labelled set of the retraining request, as JSON. */
  private static String labelled(String split, String queriesBlob) {
    return "{\"dataset\":\"d\",\"split\":\""
        + split
        + "\",\"queriesBlob\":\""
        + queriesBlob
        + "\",\"qrelsBlob\":\""
        + HASH
        + "\"}";
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("hostileRequests")
  void hostile_requests_get_a_problem_naming_the_field(
      String method, String path, String body, int status, String field) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(baseUri().resolve(path));
    if (body == null) {
      request.GET();
    } else {
      request
          .header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(body));
    }

    Reply reply = send(request.build());

    assertProblem(reply, status);
    if (field != null) {
      JsonNode errors = reply.json().path("errors");
      assertThat(errors).as(reply.body()).isNotEmpty();
      assertThat(errors.get(0).path("pointer").asText()).as(reply.body()).isEqualTo(field);
      assertThat(errors.get(0).path("detail").asText()).isNotBlank();
      assertThat(reply.json().path("detail").asText()).isNotBlank();
    }
  }

  @Test
  void a_text_too_long_is_refused_saying_how_long_it_may_be() throws Exception {
    Reply reply = post("/v1/query", Map.of("query", "x".repeat(Queries.MAX_QUERY_CHARS + 1)));

    assertProblem(reply, 400);
    JsonNode error = reply.json().path("errors").get(0);
    assertThat(error.path("pointer").asText()).as(reply.body()).isEqualTo("/query");
    assertThat(error.path("detail").asText())
        .as(reply.body())
        .isEqualTo(
            "must be at most "
                + Queries.MAX_QUERY_CHARS
                + " characters (a character outside the Basic Multilingual Plane, such as most"
                + " emoji, counts as two)");
  }

  @Test
  void a_query_parameter_the_route_does_not_read_is_refused_naming_those_it_does()
      throws Exception {
    Reply reply =
        send(HttpRequest.newBuilder(baseUri().resolve("/v1/drift/reports?colection=c")).build());

    assertProblem(reply, 400);
    JsonNode error = reply.json().path("errors").get(0);
    assertThat(error.path("pointer").asText()).as(reply.body()).isEqualTo("colection");
    assertThat(error.path("detail").asText())
        .as(reply.body())
        .isEqualTo("is not a parameter of this route; its parameters are [collection, limit]");
  }

  @Test
  void a_whole_number_past_its_type_is_refused_saying_the_range() throws Exception {
    Reply reply =
        send(
            HttpRequest.newBuilder(baseUri().resolve("/v1/models/nope/versions/2147483648"))
                .build());

    assertProblem(reply, 400);
    JsonNode error = reply.json().path("errors").get(0);
    assertThat(error.path("pointer").asText()).as(reply.body()).isEqualTo("version");
    assertThat(error.path("detail").asText())
        .as(reply.body())
        .isEqualTo("expected an integer, at most 2147483647");
    // Below its type, the bound said is the parameter's own (versions start at 1).
    Reply below =
        send(
            HttpRequest.newBuilder(baseUri().resolve("/v1/models/nope/versions/-99999999999"))
                .build());
    assertProblem(below, 400);
    assertThat(below.json().path("errors").get(0).path("detail").asText())
        .as(below.body())
        .isEqualTo("expected an integer, at least 1");
  }

  /** 100 emoji are 200 UTF-16 units, past 128: the refusal says why, not "at most 128" alone. */
  @Test
  void a_text_of_emoji_within_the_limit_as_seen_is_refused_saying_how_they_count()
      throws Exception {
    Reply reply = post("/v1/sessions", Map.of("userId", "\uD83D\uDE00".repeat(100)));

    assertProblem(reply, 400);
    JsonNode error = reply.json().path("errors").get(0);
    assertThat(error.path("pointer").asText()).as(reply.body()).isEqualTo("/userId");
    assertThat(error.path("detail").asText())
        .as(reply.body())
        .startsWith("must be at most " + Sessions.USER_ID_MAX + " characters")
        .contains("emoji, counts as two");
  }

  @Test
  void a_collections_documents_are_listed_by_page_and_one_is_removed_from_every_index()
      throws Exception {
    core.collections().ensure("shelf");
    List<Long> ids = new ArrayList<>();
    core.jdbi()
        .useTransaction(
            h -> {
              for (String source : List.of("a.txt", "b.txt", "c.txt", "broken.pdf")) {
                boolean broken = source.endsWith(".pdf");
                long id =
                    h.createQuery(
                            "INSERT INTO documents (collection, source_uri, origin, status, error)"
                                + " VALUES ('shelf', :uri, '/srv/shelf', :status, :error)"
                                + " RETURNING id")
                        .bind("uri", "/srv/shelf/" + source)
                        .bind("status", broken ? "failed" : "active")
                        .bind("error", broken ? "cannot parse PDF" : null)
                        .mapTo(Long.class)
                        .one();
                if (!broken) {
                  float[] vector = new float[core.champion().dimension()];
                  vector[ids.size()] = 1;
                  PgVectorChunkStore.replaceChunks(
                      h, id, core.champion().id(), List.of("text of " + source), List.of(vector));
                }
                ids.add(id);
              }
            });

    JsonNode shelf = shelf(get("/v1/collections"));
    assertThat(shelf.toString())
        .isEqualTo("{\"name\":\"shelf\",\"active\":3,\"failed\":1,\"tombstoned\":0}");
    Reply first = get("/v1/collections/shelf/documents?limit=2");
    assertThat(first.status()).as(first.body()).isEqualTo(200);
    assertThat(first.json().path("documents").findValuesAsText("source"))
        .containsExactly("/srv/shelf/a.txt", "/srv/shelf/b.txt");
    assertThat(first.json().path("next").asLong()).isEqualTo(ids.get(1));
    Reply rest = get("/v1/collections/shelf/documents?limit=2&after=" + ids.get(1));
    assertThat(rest.json().path("documents").findValuesAsText("source"))
        .containsExactly("/srv/shelf/c.txt", "/srv/shelf/broken.pdf");
    assertThat(rest.json().hasNonNull("next")).isFalse();
    JsonNode failed = get("/v1/collections/shelf/documents?status=failed").json();
    assertThat(failed.path("documents")).hasSize(1);
    assertThat(failed.path("documents").get(0).path("error").asText())
        .isEqualTo("cannot parse PDF");

    Reply detail = get("/v1/collections/shelf/documents/" + ids.get(0));
    assertThat(detail.status()).as(detail.body()).isEqualTo(200);
    assertThat(detail.json().path("document").path("source").asText())
        .isEqualTo("/srv/shelf/a.txt");
    assertThat(detail.json().path("origin").asText()).isEqualTo("/srv/shelf");
    assertThat(detail.json().path("chunks"))
        .extracting(JsonNode::asText)
        .containsExactly("text of a.txt");
    // No index records it holds the document (the test wrote its chunks alone): an empty list is
    // sent as one, not left out.
    assertThat(detail.json().get("indexes")).isNotNull();
    assertThat(detail.json().get("indexes").isArray()).isTrue();
    assertThat(detail.json().path("indexes")).isEmpty();
    assertThat(detail.json().path("servingIndex").asText()).isEqualTo(core.champion().name());
    assertProblem(get("/v1/collections/shelf/documents/999999999"), 404);

    Reply removed = call(null, "DELETE", "/v1/collections/shelf/documents/" + ids.get(0), null);
    assertThat(removed.status()).as(removed.body()).isEqualTo(200);
    assertThat(removed.json().path("chunksRemoved").asInt()).isEqualTo(1);
    assertThat(removed.json().path("previousStatus").asText()).isEqualTo("active");
    assertThat(removed.json().path("document").path("status").asText()).isEqualTo("tombstoned");
    assertThat(
            core
                .chunks()
                .nearest(core.champion(), "shelf", unit(core.champion().dimension(), 0), 10)
                .stream()
                .map(PgVectorChunkStore.ChunkHit::documentId))
        .doesNotContain(ids.get(0))
        .hasSize(2);
    Reply again = call(null, "DELETE", "/v1/collections/shelf/documents/" + ids.get(0), null);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().path("chunksRemoved").asInt()).isZero();
    assertThat(again.json().path("previousStatus").asText()).isEqualTo("tombstoned");
    assertProblem(call(null, "DELETE", "/v1/collections/shelf/documents/999999999", null), 404);
    assertThat(shelf(get("/v1/collections")).toString())
        .isEqualTo("{\"name\":\"shelf\",\"active\":2,\"failed\":1,\"tombstoned\":1}");
  }

  private static JsonNode shelf(Reply collections) throws Exception {
    assertThat(collections.status()).as(collections.body()).isEqualTo(200);
    for (JsonNode c : collections.json().path("collections")) {
      if (c.path("name").asText().equals("shelf")) {
        return c;
      }
    }
    throw new AssertionError("no collection shelf in " + collections.body());
  }

  private static float[] unit(int dimension, int axis) {
    float[] vector = new float[dimension];
    vector[axis] = 1;
    return vector;
  }

  @Test
  void invalid_utf8_in_a_body_is_a_bad_request() throws Exception {
    byte[] body = {'{', '"', 'q', 'u', 'e', 'r', 'y', '"', ':', '"', (byte) 0xC3, '(', '"', '}'};
    Reply reply =
        send(
            HttpRequest.newBuilder(baseUri().resolve("/v1/query"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build());

    assertProblem(reply, 400);
    // Said as a defect of the bytes, naming the field, not as a vague "not valid here".
    JsonNode error = reply.json().path("errors").get(0);
    assertThat(error.path("pointer").asText()).as(reply.body()).isEqualTo("/query");
    assertThat(error.path("detail").asText())
        .as(reply.body())
        .contains("UTF-8")
        .doesNotContain("is not valid here");
  }

  @Test
  void a_body_over_the_size_limit_is_413() throws Exception {
    String body = "{\"query\":\"" + "x".repeat(MAX_REQUEST_BYTES + 1) + "\"}";

    Reply reply = send(json("/v1/query", body));

    assertProblem(reply, 413);
  }

  @Test
  void a_body_of_no_declared_length_is_411_outside_blob_uploads() throws Exception {
    // A stream of unknown length goes out chunked, without Content-Length: the size check cannot
    // see it, and the server's own limit is the (much larger) upload limit.
    byte[] body =
        ("{\"query\":\"" + "x".repeat(MAX_REQUEST_BYTES + 1) + "\"}")
            .getBytes(StandardCharsets.UTF_8);
    Reply reply =
        send(
            HttpRequest.newBuilder(baseUri().resolve("/v1/query"))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofInputStream(
                        () -> new java.io.ByteArrayInputStream(body)))
                .build());

    assertProblem(reply, 411);
    assertThat(reply.json().path("detail").asText()).contains("Content-Length");
  }

  @Test
  void a_server_failure_is_a_500_with_a_request_id_and_no_exception_text() throws Exception {
    Logger logger =
        (Logger) LoggerFactory.getLogger("io.engram.api.problems.UnexpectedFailureHandler");
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    logger.addAppender(logged);
    // Feedback on an unknown query is a 404 while the database is whole (and the API has migrated
    // it by then); then the database loses the table feedback looks the query up in, under the
    // running API.
    assertProblem(
        post("/v1/feedback", Map.of("queryId", UUID.randomUUID().toString(), "rating", 1)), 404);
    execute("ALTER TABLE query_log RENAME TO query_log_gone");
    try {
      HttpResponse<String> response =
          rawSend(json("/v1/feedback", "{\"queryId\":\"" + UUID.randomUUID() + "\",\"rating\":1}"));

      assertThat(response.statusCode()).isEqualTo(500);
      assertThat(response.headers().firstValue("Content-Type").orElse(""))
          .startsWith(Problem.MEDIA_TYPE);
      JsonNode body = JSON.readTree(response.body());
      String requestId = response.headers().firstValue("X-Request-Id").orElseThrow();
      assertThat(body.path("requestId").asText()).isEqualTo(requestId);
      assertThat(body.path("status").asInt()).isEqualTo(500);
      assertThat(response.body())
          .doesNotContainIgnoringCase("query_log_gone")
          .doesNotContainIgnoringCase("relation")
          .doesNotContainIgnoringCase("sql")
          .doesNotContainIgnoringCase("exception")
          .doesNotContain("INSERT");
      // The log has what the body leaves out, under the same id.
      assertThat(logged.list)
          .anySatisfy(
              event -> {
                assertThat(event.getLevel()).isEqualTo(Level.ERROR);
                assertThat(event.getFormattedMessage()).contains(requestId);
                assertThat(event.getThrowableProxy()).isNotNull();
              });
    } finally {
      execute("ALTER TABLE query_log_gone RENAME TO query_log");
      logger.detachAppender(logged);
    }
  }

  @Test
  void every_response_carries_a_request_id_and_a_sane_one_from_the_client_is_kept()
      throws Exception {
    HttpResponse<String> mine =
        rawSend(
            HttpRequest.newBuilder(baseUri().resolve("/health"))
                .header("X-Request-Id", "trace-42.a_b")
                .GET()
                .build());
    HttpResponse<String> hostile =
        rawSend(
            HttpRequest.newBuilder(baseUri().resolve("/v1/query"))
                .header("X-Request-Id", "<script>")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build());

    assertThat(mine.headers().firstValue("X-Request-Id")).hasValue("trace-42.a_b");
    assertThat(hostile.headers().firstValue("X-Request-Id").orElseThrow()).matches("[0-9a-f-]{36}");
  }

  @Test
  void a_second_ingestion_of_a_running_source_attaches_and_says_so() throws Exception {
    byte[] content = "Attached ingestions share one workflow.".getBytes(StandardCharsets.UTF_8);
    String hash = Hashing.sha256(content);
    assertThat(put("/v1/blobs/" + hash, content).status()).isEqualTo(201);
    Map<String, Object> request =
        Map.of(
            "collection", "attach",
            "origin", "/home/someone/attach",
            "files",
                List.of(
                    Map.of(
                        "path",
                        "/home/someone/attach/a.txt",
                        "sha256",
                        hash,
                        "size",
                        content.length)));
    // An open run under the ingestion's workflow id, on a queue no worker polls: it stays open.
    String workflowId = IngestionWorkflow.workflowId("attach", "/home/someone/attach");
    WorkflowServiceStubs service =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder()
                .setTarget(EngramServicesExtension.temporal().address())
                .build());
    WorkflowClient client =
        WorkflowClient.newInstance(
            service,
            WorkflowClientOptions.newBuilder().setNamespace(TemporalDevServer.NAMESPACE).build());
    WorkflowStub running =
        client.newUntypedWorkflowStub(
            "IngestionWorkflow",
            WorkflowOptions.newBuilder()
                .setWorkflowId(workflowId)
                .setTaskQueue("http-contract-it-unpolled")
                .build());
    String runId = running.start().getRunId();
    try {
      Reply attached = post("/v1/ingestions", request);

      assertThat(attached.status()).as(attached.body()).isEqualTo(202);
      assertThat(attached.json().path("workflowId").asText()).isEqualTo(workflowId);
      assertThat(attached.json().path("runId").asText()).isEqualTo(runId);
      assertThat(attached.json().path("attached").asBoolean()).isTrue();
    } finally {
      running.terminate("test over");
    }
    Reply fresh = post("/v1/ingestions", request);
    try {
      assertThat(fresh.status()).as(fresh.body()).isEqualTo(202);
      assertThat(fresh.json().path("runId").asText()).isNotEqualTo(runId);
      assertThat(fresh.json().has("attached")).isTrue();
      assertThat(fresh.json().path("attached").asBoolean()).isFalse();
    } finally {
      client.newUntypedWorkflowStub(workflowId).terminate("no worker in this test");
      service.shutdown();
    }
  }

  @Test
  void a_retraining_of_a_collection_being_retrained_attaches_and_says_so() throws Exception {
    // An open run under the collection's retraining id, on a queue no worker polls: it stays open
    // and no worker answers its progress query.
    String workflowId = RetrainingWorkflow.workflowId(CollectionRegistry.DEFAULT);
    WorkflowServiceStubs service =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder()
                .setTarget(EngramServicesExtension.temporal().address())
                .build());
    WorkflowClient client =
        WorkflowClient.newInstance(
            service,
            WorkflowClientOptions.newBuilder().setNamespace(TemporalDevServer.NAMESPACE).build());
    WorkflowStub running =
        client.newUntypedWorkflowStub(
            "RetrainingWorkflow",
            WorkflowOptions.newBuilder()
                .setWorkflowId(workflowId)
                .setTaskQueue("http-contract-it-unpolled")
                // As RetrainingWorkflow.startOptions sets it: a run's tenant is its collection's.
                .setTypedSearchAttributes(
                    SearchAttributes.newBuilder()
                        .set(EngramSearchAttributes.COLLECTION, CollectionRegistry.DEFAULT)
                        .build())
                .build());
    String runId = running.start().getRunId();
    Map<String, Object> request =
        Map.of("collection", CollectionRegistry.DEFAULT, "params", Map.of("mode", "dense"));
    try {
      Reply attached = post("/v1/retrainings", request);
      Reply status = get("/v1/retrainings/" + workflowId);

      assertThat(attached.status()).as(attached.body()).isEqualTo(202);
      assertThat(attached.json().path("workflowId").asText()).isEqualTo(workflowId);
      assertThat(attached.json().path("runId").asText()).isEqualTo(runId);
      assertThat(attached.json().path("attached").asBoolean()).isTrue();
      assertThat(status.status()).as(status.body()).isEqualTo(200);
      assertThat(status.json().path("runId").asText()).isEqualTo(runId);
      assertThat(status.json().path("status").asText()).isEqualTo("RUNNING");
      assertThat(status.json().path("phase").asText()).isEqualTo("waiting-for-worker");
      assertThat(status.json().path("outcome").isMissingNode()).as(status.body()).isTrue();
    } finally {
      running.terminate("test over");
    }
    // An ended run is answered from what it left, without a worker to replay it.
    Reply ended = get("/v1/retrainings/" + workflowId);
    assertThat(ended.json().path("status").asText()).as(ended.body()).isEqualTo("TERMINATED");
    assertThat(ended.json().path("phase").asText()).isEqualTo("failed");
    assertThat(ended.json().path("outcome").asText()).isEqualTo("failed");
    assertThat(ended.json().path("failure").asText()).contains("TERMINATED");
    // A retraining's run is not an ingestion's, nor an evaluation's.
    assertProblem(get("/v1/ingestions/" + workflowId), 404);
    assertProblem(get("/v1/evaluations/" + workflowId), 404);

    Reply fresh = post("/v1/retrainings", request);
    try {
      assertThat(fresh.status()).as(fresh.body()).isEqualTo(202);
      assertThat(fresh.json().path("workflowId").asText()).isEqualTo(workflowId);
      assertThat(fresh.json().path("runId").asText()).isNotEqualTo(runId);
      assertThat(fresh.json().has("attached")).isTrue();
      assertThat(fresh.json().path("attached").asBoolean()).isFalse();
    } finally {
      client.newUntypedWorkflowStub(workflowId).terminate("no worker in this test");
      service.shutdown();
    }
  }

  @Test
  void the_openapi_document_describes_the_retraining_and_study_endpoints() throws Exception {
    HttpResponse<String> response =
        rawSend(HttpRequest.newBuilder(baseUri().resolve("/openapi.yml")).GET().build());
    JsonNode openApi = new YAMLMapper().readTree(response.body());
    JsonNode paths = openApi.path("paths");
    JsonNode schemas = openApi.path("components").path("schemas");

    String ref =
        paths
            .path("/v1/retrainings")
            .path("post")
            .path("requestBody")
            .path("content")
            .path("application/json")
            .path("schema")
            .path("$ref")
            .asText();
    JsonNode request = schemas.path(ref.substring("#/components/schemas/".length()));
    assertThat(request.path("required")).extracting(JsonNode::asText).containsExactly("collection");
    assertThat(request.path("properties").path("force").path("type").asText()).isEqualTo("boolean");
    assertThat(request.path("properties").path("params").path("maxProperties").asInt())
        .isEqualTo(32);
    assertThat(paths.path("/v1/retrainings/{workflowId}").path("get").isMissingNode()).isFalse();
    assertThat(paths.path("/v1/studies/{id}").path("get").isMissingNode()).isFalse();
    JsonNode trial = schemas.path("Retrainings.TrialView").path("properties");
    assertThat(trial.fieldNames())
        .toIterable()
        .contains("number", "state", "value", "costSeconds", "params", "intermediate");
  }

  @Test
  void the_openapi_document_names_each_success_code_as_served_the_problems_and_the_key()
      throws Exception {
    JsonNode openApi =
        new YAMLMapper()
            .readTree(
                rawSend(HttpRequest.newBuilder(baseUri().resolve("/openapi.yml")).GET().build())
                    .body());
    Map<String, String> created =
        Map.of(
            "post /v1/sessions", "201",
            "post /v1/keys", "201",
            "post /v1/feedback", "201",
            "put /v1/blobs/{sha256}", "201",
            "post /v1/ingestions", "202",
            "post /v1/retrainings", "202",
            "post /v1/evaluations", "202",
            "post /v1/rollouts", "202");
    int operations = 0;
    for (var path : openApi.path("paths").properties()) {
      for (var operation : path.getValue().properties()) {
        String name = operation.getKey() + " " + path.getKey();
        JsonNode responses = operation.getValue().path("responses");
        operations++;
        for (String problem : List.of("4XX", "5XX")) {
          assertThat(responses.path(problem).path("content").has(Problem.MEDIA_TYPE))
              .as(name + " documents its " + problem + " problem bodies")
              .isTrue();
        }
        if (created.containsKey(name)) {
          assertThat(responses.has(created.get(name))).as(name).isTrue();
          assertThat(responses.has("200")).as(name + " is never 200").isFalse();
        }
      }
    }
    assertThat(operations).isGreaterThan(40);
    JsonNode promotion =
        openApi.path("paths").path("/v1/memory/promotions").path("post").path("responses");
    assertThat(promotion.has("200") && promotion.has("202"))
        .as("the promotion's 200 and 202")
        .isTrue();
    assertThat(
            openApi
                .path("components")
                .path("securitySchemes")
                .path("apiKey")
                .path("scheme")
                .asText())
        .isEqualTo("bearer");
    assertThat(openApi.path("security").get(0).has("apiKey")).isTrue();
    JsonNode report = openApi.path("components").path("schemas").path("Drift.DriftReport");
    assertThat(report.path("properties").path("drift").path("nullable").asBoolean()).isTrue();
    assertThat(report.path("properties").path("retraining").path("nullable").asBoolean()).isTrue();
    assertThat(post("/v1/sessions", Map.of()).status()).isEqualTo(201);
  }

  @Test
  void a_study_is_served_as_its_svg_chart() throws Exception {
    core.collections().ensure("charted");
    Study study =
        core.retraining()
            .studies()
            .create(
                new Studies.NewStudy(
                    "charted",
                    "retrain-charted/run-1",
                    Direction.MAXIMIZE,
                    RetrainingService.SPACE,
                    Studies.Strategy.random(7),
                    Studies.Start.NONE));
    study.ask(0);
    study.tell(0, Study.Outcome.complete(0.61, 1.0));
    study.ask(1);
    study.report(1, 1, 0.2);
    study.tell(1, Study.Outcome.pruned(0.5));

    Reply chart = get("/v1/studies/" + study.id() + "/chart.svg");

    assertThat(chart.status()).as(chart.body()).isEqualTo(200);
    assertThat(chart.contentType()).startsWith("image/svg+xml");
    assertThat(chart.body())
        .startsWith("<?xml")
        .contains("<svg", "trial 0: 0.6100", "trial 1: pruned");
    assertProblem(get("/v1/studies/424242/chart.svg"), 404);
  }

  @Test
  void the_openapi_document_describes_the_query_endpoint_with_the_contract_fields()
      throws Exception {
    HttpResponse<String> response =
        rawSend(HttpRequest.newBuilder(baseUri().resolve("/openapi.yml")).GET().build());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type").orElse(""))
        .startsWith("application/yaml");
    JsonNode openApi = new YAMLMapper().readTree(response.body());
    JsonNode post = openApi.path("paths").path("/v1/query").path("post");
    String ref =
        post.path("requestBody")
            .path("content")
            .path("application/json")
            .path("schema")
            .path("$ref")
            .asText();
    assertThat(ref).startsWith("#/components/schemas/");
    JsonNode request =
        openApi
            .path("components")
            .path("schemas")
            .path(ref.substring("#/components/schemas/".length()));
    assertThat(request.path("required")).extracting(JsonNode::asText).containsExactly("query");
    JsonNode fields = request.path("properties");
    assertThat(fields.path("query").path("type").asText()).isEqualTo("string");
    assertThat(fields.path("query").path("maxLength").asInt()).isEqualTo(4096);
    assertThat(fields.path("sessionId").path("type").asText()).isEqualTo("string");
    assertThat(fields.path("collection").path("type").asText()).isEqualTo("string");
    assertThat(fields.path("topK").path("type").asText()).isEqualTo("integer");
    assertThat(fields.path("topK").path("minimum").asInt()).isEqualTo(1);
    assertThat(fields.path("topK").path("maximum").asInt()).isEqualTo(100);
    assertThat(fields.size()).isEqualTo(4);
    assertThat(post.path("responses").path("200").isMissingNode()).isFalse();
  }

  private HttpResponse<String> rawSend(HttpRequest request) throws Exception {
    return java.net.http.HttpClient.newHttpClient()
        .send(request, HttpResponse.BodyHandlers.ofString());
  }

  private void execute(String sql) throws Exception {
    var postgres = EngramServicesExtension.postgres();
    try (Connection c = DriverManager.getConnection(dbUrl, postgres.user(), postgres.password());
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
