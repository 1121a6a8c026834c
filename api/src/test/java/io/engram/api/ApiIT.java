package io.engram.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.engram.core.Hashing;
import io.engram.testing.EngramServices;
import io.engram.testing.EngramServicesExtension;
import io.engram.workers.EngramWorker;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The HTTP API against a real PostgreSQL + pgvector and Temporal dev server with a real worker: the
 * upload → ingest → query path, and RFC 7807 problems for bad input.
 */
@EngramServices
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ApiIT extends ApiTestSupport implements TestPropertyProvider {

  @Inject EmbeddedServer server;

  private Path root;
  private Path outside;
  private String dbUrl;
  private EngramWorker worker;

  @Override
  public Map<String, String> getProperties() {
    try {
      root = Files.createTempDirectory("engram-api-root");
      outside = Files.createTempDirectory("engram-api-outside");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    dbUrl = EngramServicesExtension.postgres().createDatabase("api_it");
    return serviceProperties(dbUrl, Map.of("engram.ingest.roots", root.toString()));
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
  void health_reports_db_and_temporal() throws Exception {
    // Outside prod the details are public (AccessIT: prod shows the status alone).
    JsonNode health = get("/health").json();
    assertThat(health.path("status").asText()).isEqualTo("UP");
    assertThat(health.path("details").path("db").path("status").asText()).isEqualTo("UP");
    assertThat(health.path("details").path("temporal").path("status").asText()).isEqualTo("UP");
  }

  @Test
  void uploaded_files_are_ingested_and_answer_queries_with_sources() throws Exception {
    byte[] first =
        "Glaciers in Greenland are melting faster every decade.".getBytes(StandardCharsets.UTF_8);
    byte[] second =
        "Coral reefs bleach when sea temperatures rise.".getBytes(StandardCharsets.UTF_8);
    String h1 = Hashing.sha256(first);
    String h2 = Hashing.sha256(second);

    Reply missing = post("/v1/blobs/missing", Map.of("hashes", List.of(h1, h2)));
    assertThat(missing.status()).isEqualTo(200);
    assertThat(missing.json().path("missing")).hasSize(2);
    assertThat(put("/v1/blobs/" + h1, first).status()).isEqualTo(201);
    assertThat(put("/v1/blobs/" + h2, second).status()).isEqualTo(201);
    assertThat(post("/v1/blobs/missing", Map.of("hashes", List.of(h1, h2))).json().path("missing"))
        .isEmpty();

    Reply started =
        post(
            "/v1/ingestions",
            Map.of(
                "collection", "uploads",
                "origin", "/home/someone/notes",
                "files",
                    List.of(
                        Map.of(
                            "path",
                            "/home/someone/notes/ice.txt",
                            "sha256",
                            h1,
                            "size",
                            first.length),
                        Map.of(
                            "path",
                            "/home/someone/notes/reef.txt",
                            "sha256",
                            h2,
                            "size",
                            second.length))));
    assertThat(started.status()).isEqualTo(202);
    String workflowId = started.json().path("workflowId").asText();
    assertThat(workflowId).startsWith("ingest-uploads-");

    JsonNode status = awaitCompletion(workflowId);
    assertThat(status.path("done").asInt()).isEqualTo(2);
    assertThat(status.path("total").asInt()).isEqualTo(2);

    Reply answer =
        post(
            "/v1/query",
            Map.of("query", "why do corals bleach", "collection", "uploads", "topK", 2));
    assertThat(answer.status()).isEqualTo(200);
    JsonNode sources = answer.json().path("sources");
    assertThat(sources).hasSize(2);
    assertThat(sources.get(0).path("source").asText()).isEqualTo("/home/someone/notes/reef.txt");
    assertThat(sources.get(0).path("score").asDouble())
        .isGreaterThan(sources.get(1).path("score").asDouble());
    assertThat(answer.json().path("answerMode").asText()).isEqualTo("extractive");
    // The collection's version 1, registered when ingestion first stored documents in it, serves.
    assertThat(answer.json().path("modelVersion").asText()).isEqualTo("uploads/v1");
    assertThat(answer.json().has("arm")).isFalse();

    // The query is logged off the request path, yet takes feedback by its id at once: the API
    // waits for the row it is still writing.
    String queryId = answer.json().path("queryId").asText();
    Reply feedback =
        post(
            "/v1/feedback",
            Map.of("queryId", queryId, "rating", 1, "source", "/home/someone/notes/reef.txt"));
    assertThat(feedback.status()).as(feedback.body()).isEqualTo(201);
    // A source the query did not return would be a click on nothing that was shown: refused.
    for (String notReturned : List.of("/home/someone/notes/other.txt", "memory:episodic/1")) {
      Reply refused =
          post("/v1/feedback", Map.of("queryId", queryId, "rating", 1, "source", notReturned));
      assertProblem(refused, 400);
      assertThat(refused.json().path("errors").get(0).path("pointer").asText())
          .as(refused.body())
          .isEqualTo("/source");
    }
    assertProblem(post("/v1/feedback", Map.of("queryId", queryId, "rating", 5)), 400);
    assertProblem(post("/v1/feedback", Map.of("queryId", "not-a-uuid", "rating", 1)), 400);
    assertProblem(
        post(
            "/v1/feedback", Map.of("queryId", java.util.UUID.randomUUID().toString(), "rating", 1)),
        404);
  }

  @Test
  void a_new_collection_is_served_with_its_first_chunking_and_shows_new_documents_at_once()
      throws Exception {
    Path dir = Files.createDirectories(root.resolve("birds"));
    Files.writeString(dir.resolve("owls.txt"), "Owls hunt small mammals at night. ".repeat(12));
    Reply started =
        post(
            "/v1/ingestions",
            Map.of(
                "path", dir.toString(), "collection", "birds", "chunkSize", 64, "chunkOverlap", 0));
    assertThat(started.status()).as(started.body()).isEqualTo(202);
    assertThat(awaitCompletion(started.json().path("workflowId").asText()).path("done").asInt())
        .isEqualTo(1);
    // Version 1 searches the index the first ingestion wrote, with its chunking.
    JsonNode v1 = get("/v1/models/birds/versions/1").json();
    assertThat(v1.path("indexVersion").path("chunkSize").asInt()).isEqualTo(64);
    assertThat(v1.path("indexVersion").path("chunkOverlap").asInt()).isZero();

    Map<String, Object> ask = Map.of("query", "which birds hunt at night", "collection", "birds");
    JsonNode first = post("/v1/query", ask).json();
    assertThat(first.path("modelVersion").asText()).isEqualTo("birds/v1");
    assertThat(first.path("sources").get(0).path("snippet").asText().length())
        .isLessThanOrEqualTo(64);
    assertThat(post("/v1/query", ask).json().path("cached").asBoolean()).isTrue();

    // A document ingested since is found by the next query: the cached answer is not served.
    Files.writeString(dir.resolve("nightjars.txt"), "Nightjars are birds that hunt at night.");
    Reply more = post("/v1/ingestions", Map.of("path", dir.toString(), "collection", "birds"));
    assertThat(awaitCompletion(more.json().path("workflowId").asText()).path("done").asInt())
        .isEqualTo(1);
    JsonNode after = post("/v1/query", ask).json();
    assertThat(after.path("cached").asBoolean()).isFalse();
    List<String> sources = new java.util.ArrayList<>();
    after.path("sources").forEach(n -> sources.add(n.path("source").asText()));
    assertThat(sources).anyMatch(source -> source.endsWith("nightjars.txt"));
  }

  @Test
  void an_upload_of_no_files_removes_what_its_source_had() throws Exception {
    byte[] text =
        "Lichens are a fungus and an alga living together.".getBytes(StandardCharsets.UTF_8);
    String hash = Hashing.sha256(text);
    assertThat(put("/v1/blobs/" + hash, text).status()).isEqualTo(201);
    String origin = "/home/someone/lichens";
    Map<String, Object> file =
        Map.of("path", origin + "/lichens.txt", "sha256", hash, "size", text.length);
    Reply stored =
        post(
            "/v1/ingestions",
            Map.of("collection", "lichens", "origin", origin, "files", List.of(file)));
    assertThat(awaitCompletion(stored.json().path("workflowId").asText()).path("done").asInt())
        .isEqualTo(1);
    // Another source under the same path, ingested on its own.
    byte[] moss = "Mosses have no roots, only rhizoids.".getBytes(StandardCharsets.UTF_8);
    String mossHash = Hashing.sha256(moss);
    assertThat(put("/v1/blobs/" + mossHash, moss).status()).isEqualTo(201);
    Reply mosses =
        post(
            "/v1/ingestions",
            Map.of(
                "collection",
                "lichens",
                "origin",
                origin + "/mosses",
                "files",
                List.of(
                    Map.of(
                        "path",
                        origin + "/mosses/moss.txt",
                        "sha256",
                        mossHash,
                        "size",
                        moss.length))));
    assertThat(awaitCompletion(mosses.json().path("workflowId").asText()).path("done").asInt())
        .isEqualTo(1);
    Map<String, Object> ask = Map.of("query", "what are lichens", "collection", "lichens");
    assertThat(post("/v1/query", ask).json().path("sources")).hasSize(2);

    // Which source has no files any more must be said.
    assertProblem(post("/v1/ingestions", Map.of("collection", "lichens", "files", List.of())), 400);
    Reply emptied =
        post(
            "/v1/ingestions",
            Map.of("collection", "lichens", "origin", origin, "files", List.of()));
    assertThat(emptied.status()).as(emptied.body()).isEqualTo(202);
    JsonNode status = awaitCompletion(emptied.json().path("workflowId").asText());
    assertThat(status.path("total").asInt()).isZero();
    assertThat(status.path("tombstoned").asInt()).isEqualTo(1);
    // Only what came from that origin goes: the other source under its path stays.
    JsonNode left = post("/v1/query", ask).json().path("sources");
    assertThat(left).hasSize(1);
    assertThat(left.get(0).path("source").asText()).isEqualTo(origin + "/mosses/moss.txt");
    // Beside a path, an empty file list is no upload at all.
    Reply both =
        post(
            "/v1/ingestions",
            Map.of("collection", "lichens", "path", "/nowhere", "files", List.of()));
    assertThat(both.status()).as(both.body()).isNotEqualTo(400);
  }

  @Test
  void a_server_path_under_the_ingestion_roots_is_ingested() throws Exception {
    Files.writeString(root.resolve("sun.md"), "# Sun\n\nThe sun is a G-type main-sequence star.");
    Reply started =
        post("/v1/ingestions", Map.of("path", root.toString(), "collection", "server-side"));
    assertThat(started.status()).isEqualTo(202);
    JsonNode status = awaitCompletion(started.json().path("workflowId").asText());
    assertThat(status.path("done").asInt()).isEqualTo(1);

    // The same question again, however it is spelled, is served from the response cache unless
    // the caller asks for a fresh answer.
    Map<String, Object> ask =
        Map.of("query", "What kind of star is the sun?", "collection", "server-side");
    JsonNode first = post("/v1/query", ask).json();
    assertThat(first.path("cached").asBoolean()).isFalse();
    JsonNode again =
        post(
                "/v1/query",
                Map.of("query", "  what kind of star is the SUN ", "collection", "server-side"))
            .json();
    assertThat(again.path("cached").asBoolean()).isTrue();
    assertThat(again.path("sources")).isEqualTo(first.path("sources"));
    assertThat(again.path("queryId").asText()).isNotEqualTo(first.path("queryId").asText());
    HttpRequest fresh =
        HttpRequest.newBuilder(baseUri().resolve("/v1/query"))
            .header("Content-Type", "application/json")
            .header("Cache-Control", "no-cache")
            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(ask)))
            .build();
    assertThat(send(fresh).json().path("cached").asBoolean()).isFalse();
  }

  @Test
  void paths_outside_the_roots_missing_paths_and_unsupported_types_are_refused() throws Exception {
    Files.writeString(outside.resolve("secret.txt"), "not for you");
    assertProblem(
        post("/v1/ingestions", Map.of("path", outside.resolve("secret.txt").toString())), 403);
    assertProblem(
        post(
            "/v1/ingestions",
            Map.of("path", root.resolve("../" + outside.getFileName() + "/secret.txt").toString())),
        403);
    Path link = root.resolve("escape");
    Files.createSymbolicLink(link, outside);
    assertProblem(post("/v1/ingestions", Map.of("path", link.toString())), 403);
    assertProblem(post("/v1/ingestions", Map.of("path", root.resolve("nope.txt").toString())), 404);
    Files.write(root.resolve("picture.png"), new byte[] {1, 2, 3});
    assertProblem(
        post("/v1/ingestions", Map.of("path", root.resolve("picture.png").toString())), 415);
    assertProblem(post("/v1/ingestions", Map.of("path", "relative/path")), 400);
    assertProblem(post("/v1/ingestions", Map.of()), 400);
    assertProblem(
        post("/v1/ingestions", Map.of("path", root.toString(), "collection", "Bad Name!")), 400);
  }

  @Test
  void a_follow_up_is_resolved_with_working_memory() throws Exception {
    Path corpus = root.resolve("conversation/corpus.jsonl");
    Files.createDirectories(corpus.getParent());
    Files.writeString(
        corpus,
        String.join(
                "\n",
                doc(
                    "aspirin-heart",
                    "Aspirin and heart attack",
                    "Daily low-dose aspirin reduces the risk of a first heart attack in adults at high cardiovascular risk."),
                doc(
                    "coffee-liver",
                    "Coffee and the liver",
                    "Regular coffee consumption is associated with lower rates of liver fibrosis and cirrhosis in adults."),
                doc(
                    "caffeine-children",
                    "Caffeine in children",
                    "Coffee and other caffeinated drinks disturb the sleep of children and adolescents; pediatricians advise limiting caffeine for their safety."),
                doc(
                    "aspirin-children",
                    "Aspirin in children",
                    "Aspirin given to children with viral infections is linked to Reye syndrome, so it is not considered safe for them."))
            + "\n");
    Reply started =
        post("/v1/ingestions", Map.of("path", corpus.toString(), "collection", "conversation"));
    assertThat(awaitCompletion(started.json().path("workflowId").asText()).path("done").asInt())
        .isEqualTo(4);

    Reply session = post("/v1/sessions", Map.of("collection", "conversation"));
    assertThat(session.status()).isEqualTo(201);
    String sessionId = session.json().path("sessionId").asText();

    JsonNode first =
        post(
                "/v1/query",
                Map.of("query", "Does aspirin prevent heart attacks?", "sessionId", sessionId))
            .json();
    assertThat(first.path("intent").asText()).isEqualTo("question");
    assertThat(first.path("sources").get(0).path("source").asText()).isEqualTo("aspirin-heart");

    JsonNode second =
        post("/v1/query", Map.of("query", "Is coffee good for the liver?", "sessionId", sessionId))
            .json();
    assertThat(second.path("intent").asText()).isEqualTo("question");
    assertThat(second.path("sources").get(0).path("source").asText()).isEqualTo("coffee-liver");

    // "it" means coffee (turn 2), not aspirin (turn 1): only working memory can tell.
    JsonNode third =
        post(
                "/v1/query",
                Map.of("query", "Is it safe for children?", "sessionId", sessionId, "topK", 2))
            .json();
    assertThat(third.path("intent").asText()).isEqualTo("follow-up");
    assertThat(third.path("rewrittenQuery").asText())
        .isEqualTo("Is coffee safe for children?")
        .doesNotContain("aspirin");
    assertThat(third.path("sources").get(0).path("source").asText()).isEqualTo("caffeine-children");

    JsonNode turns = get("/v1/sessions/" + sessionId + "/turns").json().path("turns");
    assertThat(turns).hasSize(6);
    assertThat(turns.get(4).path("rewrittenQuery").asText()).contains("coffee");
    assertThat(turns.get(5).path("sources").get(0).asText()).isEqualTo("caffeine-children");

    // A session keeps the collection it was opened on: another one is refused, and no turn kept.
    Reply elsewhere =
        post("/v1/query", Map.of("query", "hi", "sessionId", sessionId, "collection", "default"));
    assertProblem(elsewhere, 400);
    assertThat(elsewhere.json().path("errors").get(0).path("pointer").asText())
        .isEqualTo("/collection");
    assertThat(elsewhere.json().path("detail").asText())
        .contains("was opened on collection 'conversation', not 'default'");
    assertThat(get("/v1/sessions/" + sessionId + "/turns").json().path("turns")).hasSize(6);
    assertProblem(post("/v1/query", Map.of("query", "hi", "sessionId", "not-a-session")), 400);
    assertProblem(
        post(
            "/v1/query",
            Map.of("query", "hi", "sessionId", java.util.UUID.randomUUID().toString())),
        404);
    assertProblem(post("/v1/sessions", Map.of("collection", "no-such-collection")), 404);
  }

  private static String doc(String id, String title, String text) throws IOException {
    return JSON.writeValueAsString(Map.of("_id", id, "title", title, "text", text));
  }

  @Test
  void bad_queries_get_problem_bodies() throws Exception {
    assertProblem(post("/v1/query", Map.of("query", "   ")), 400);
    assertProblem(post("/v1/query", Map.of("query", "x".repeat(100_000))), 400);
    assertProblem(post("/v1/query", Map.of("query", "fine", "topK", 0)), 400);
    assertProblem(post("/v1/query", Map.of("query", "fine", "topK", "many")), 400);
    assertProblem(
        post("/v1/query", Map.of("query", "fine", "collection", "no-such-collection")), 404);
    assertProblem(send(json("/v1/query", "{not json")), 400);
    assertProblem(get("/v1/ingestions/ingest-nothing-0000"), 404);
    assertProblem(put("/v1/blobs/" + "0".repeat(64), new byte[] {1}), 400);
  }

  @Override
  protected URI baseUri() {
    return URI.create(server.getURL().toString());
  }
}
