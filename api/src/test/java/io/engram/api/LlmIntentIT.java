package io.engram.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.engram.testing.EngramServices;
import io.engram.testing.EngramServicesExtension;
import io.engram.testing.OpenAiStubServer;
import io.engram.workers.EngramWorker;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Conversations with the LLM intent classifier configured: the API's real OpenAI client talks to a
 * local OpenAI-compatible endpoint whose intent replies each turn scripts (answers are a fixed
 * completion citing [1]). Shows that the LLM's rewrite of a follow-up is what retrieval and the
 * answer use, that it cannot rewrite a standalone question, and that a malformed or failed intent
 * reply leaves the turn to the local rules with a warning, never a failed query.
 */
@EngramServices
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LlmIntentIT extends ApiTestSupport implements TestPropertyProvider {
  private static final String ANSWER = "The sources say so [1].";

  @Inject EmbeddedServer server;

  /** What the endpoint answers to the next intent request. */
  private final AtomicReference<OpenAiStubServer.Reply> intentReply =
      new AtomicReference<>(OpenAiStubServer.Reply.completion("no idea"));

  private Path root;
  private String dbUrl;
  private OpenAiStubServer llm;
  private EngramWorker worker;

  @Override
  public Map<String, String> getProperties() {
    try {
      root = Files.createTempDirectory("engram-intent-root");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    llm =
        OpenAiStubServer.start(
            request ->
                intentRequest(request)
                    ? intentReply.get()
                    : OpenAiStubServer.Reply.completion(ANSWER));
    dbUrl = EngramServicesExtension.postgres().createDatabase("intent_it");
    return serviceProperties(
        dbUrl,
        Map.of(
            "engram.ingest.roots", root.toString(),
            "engram.llm.provider", "openai",
            "engram.llm.base.url", llm.baseUrl(),
            "engram.llm.model", "stub-model",
            "engram.intent.timeout-ms", "1500"));
  }

  private static boolean intentRequest(OpenAiStubServer.Request request) {
    return request.system().contains("classify the newest message");
  }

  @BeforeAll
  void ingest() throws Exception {
    worker = startWorker(dbUrl);
    Path corpus = root.resolve("conversation/corpus.jsonl");
    Files.createDirectories(corpus.getParent());
    Files.writeString(
        corpus,
        String.join(
                "\n",
                doc(
                    "aspirin-heart",
                    "Aspirin and heart attack",
                    "Daily low-dose aspirin reduces the risk of a first heart attack in adults at"
                        + " high cardiovascular risk."),
                doc(
                    "coffee-liver",
                    "Coffee and the liver",
                    "Regular coffee consumption is associated with lower rates of liver fibrosis"
                        + " and cirrhosis in adults."),
                doc(
                    "caffeine-children",
                    "Caffeine in children",
                    "Coffee and other caffeinated drinks disturb the sleep of children and"
                        + " adolescents; pediatricians advise limiting caffeine for their"
                        + " safety."),
                doc(
                    "aspirin-children",
                    "Aspirin in children",
                    "Aspirin given to children with viral infections is linked to Reye syndrome,"
                        + " so it is not considered safe for them."))
            + "\n");
    Reply started =
        post("/v1/ingestions", Map.of("path", corpus.toString(), "collection", "conversation"));
    assertThat(awaitCompletion(started.json().path("workflowId").asText()).path("done").asInt())
        .isEqualTo(4);
  }

  @AfterAll
  void stop() {
    if (worker != null) {
      worker.close();
    }
    if (llm != null) {
      llm.close();
    }
  }

  @Test
  void a_three_turn_conversation_retrieves_the_follow_up_with_the_llm_rewrite() throws Exception {
    String sessionId = newSession();
    int before = intentRequests().size();

    // Turn 1: nothing to rewrite against, so the LLM is not asked.
    JsonNode first = ask(sessionId, "Does aspirin prevent heart attacks?");
    assertThat(first.path("intent").asText()).isEqualTo("question");
    assertThat(first.path("intentSource").asText()).isEqualTo("local");
    assertThat(absent(first.path("warning"))).as(first.toString()).isTrue();
    assertThat(first.path("timings").has("intentMs")).isTrue();
    assertThat(first.path("sources").get(0).path("source").asText()).isEqualTo("aspirin-heart");
    assertThat(intentRequests()).hasSize(before);

    // Turn 2: the LLM tries to rewrite a standalone question away; it is searched as written.
    intentReply.set(
        OpenAiStubServer.Reply.completion(
            "{\"intent\": \"question\", \"query\": \"Does aspirin prevent heart attacks?\"}"));
    JsonNode second = ask(sessionId, "Is coffee good for the liver?");
    assertThat(second.path("intent").asText()).isEqualTo("question");
    assertThat(second.path("intentSource").asText()).isEqualTo("llm");
    assertThat(absent(second.path("rewrittenQuery"))).as(second.toString()).isTrue();
    assertThat(second.path("sources").get(0).path("source").asText()).isEqualTo("coffee-liver");
    assertThat(intentRequests()).hasSize(before + 1);

    // Turn 3: no pronoun, no "what about": the local rules would search it as it is; the LLM
    // says what it is about.
    intentReply.set(
        OpenAiStubServer.Reply.completion(
            "```json\n{\"intent\": \"follow_up\", \"query\": \"Is coffee safe for children?\"}\n```"));
    JsonNode third = ask(sessionId, "Which risks exist for young kids?");
    assertThat(third.path("intent").asText()).isEqualTo("follow-up");
    assertThat(third.path("intentSource").asText()).isEqualTo("llm");
    assertThat(third.path("rewrittenQuery").asText()).isEqualTo("Is coffee safe for children?");
    assertThat(absent(third.path("warning"))).as(third.toString()).isTrue();
    assertThat(third.path("answerMode").asText()).isEqualTo("llm");
    assertThat(third.path("citations")).hasSize(1);
    assertThat(third.path("sources").get(0).path("source").asText()).isEqualTo("caffeine-children");

    // The intent prompt carried the earlier turns.
    String prompt = intentRequests().get(intentRequests().size() - 1).user();
    assertThat(prompt)
        .contains("User: Does aspirin prevent heart attacks?")
        .contains("User: Is coffee good for the liver?")
        .contains("Newest message: Which risks exist for young kids?");
    // The answer was asked with the rewrite.
    assertThat(lastAnswerRequest().user()).contains("Question: Is coffee safe for children?");

    // The sources (and so the cited one) are exactly what the rewritten query retrieves: same
    // documents, same order, same scores (a score depends on the query it was computed for).
    JsonNode direct =
        askFresh(
            Map.of(
                "query", "Is coffee safe for children?", "collection", "conversation", "topK", 3));
    assertThat(rankedSources(third)).isEqualTo(rankedSources(direct));

    JsonNode turns = get("/v1/sessions/" + sessionId + "/turns").json().path("turns");
    assertThat(turns).hasSize(6);
    assertThat(turns.get(4).path("intent").asText()).isEqualTo("follow-up");
    assertThat(turns.get(4).path("rewrittenQuery").asText())
        .isEqualTo("Is coffee safe for children?");
  }

  @Test
  void a_malformed_or_failed_intent_reply_leaves_the_turn_to_the_local_rules() throws Exception {
    String sessionId = newSession();
    ask(sessionId, "Does aspirin prevent heart attacks?");

    intentReply.set(OpenAiStubServer.Reply.completion("The user asks a follow-up about aspirin."));
    JsonNode malformed = ask(sessionId, "Is it safe for children?");
    assertThat(malformed.path("intent").asText()).isEqualTo("follow-up");
    assertThat(malformed.path("intentSource").asText()).isEqualTo("local");
    assertThat(malformed.path("rewrittenQuery").asText())
        .isEqualTo("Is aspirin safe for children?");
    assertThat(malformed.path("warning").asText())
        .startsWith("intent: ")
        .contains("malformed")
        .contains("classified by the local rules");
    // Only the classification degraded: the answer still came from the LLM.
    assertThat(malformed.path("answerMode").asText()).isEqualTo("llm");
    assertThat(malformed.path("sources").get(0).path("source").asText())
        .isEqualTo("aspirin-children");

    intentReply.set(OpenAiStubServer.Reply.error(500));
    JsonNode failed = ask(sessionId, "And for adults?");
    assertThat(failed.path("intentSource").asText()).isEqualTo("local");
    assertThat(failed.path("intent").asText()).isEqualTo("follow-up");
    assertThat(failed.path("warning").asText()).contains("unavailable");

    // A classifier that never answers: its own timeout ends the call and the local rules decide;
    // the turn is still answered (the reply that never comes would hold it forever otherwise).
    intentReply.set(OpenAiStubServer.Reply.none());
    JsonNode slow = ask(sessionId, "Is it safe for children?");
    assertThat(slow.path("intentSource").asText()).isEqualTo("local");
    assertThat(slow.path("intent").asText()).isEqualTo("follow-up");
    assertThat(slow.path("warning").asText()).contains("unavailable");
    assertThat(slow.path("answerMode").asText()).isEqualTo("llm");
  }

  private String newSession() throws Exception {
    Reply session = post("/v1/sessions", Map.of("collection", "conversation"));
    assertThat(session.status()).isEqualTo(201);
    return session.json().path("sessionId").asText();
  }

  private JsonNode ask(String sessionId, String query) throws Exception {
    Reply reply = post("/v1/query", Map.of("query", query, "sessionId", sessionId, "topK", 3));
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    return reply.json();
  }

  private JsonNode askFresh(Map<String, Object> body) throws Exception {
    Reply reply =
        send(
            HttpRequest.newBuilder(baseUri().resolve("/v1/query"))
                .header("Content-Type", "application/json")
                .header("Cache-Control", "no-cache")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .build());
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    return reply.json();
  }

  private List<OpenAiStubServer.Request> intentRequests() {
    return llm.requests().stream().filter(LlmIntentIT::intentRequest).toList();
  }

  private OpenAiStubServer.Request lastAnswerRequest() {
    List<OpenAiStubServer.Request> answers =
        llm.requests().stream().filter(r -> !intentRequest(r)).toList();
    return answers.get(answers.size() - 1);
  }

  /** A null field, whether the serializer writes it as null or leaves it out. */
  private static boolean absent(JsonNode field) {
    return field.isMissingNode() || field.isNull();
  }

  /** Each source as "id score", in the order returned. */
  private static List<String> rankedSources(JsonNode response) {
    List<String> ids = new ArrayList<>();
    response
        .path("sources")
        .forEach(
            s ->
                ids.add(
                    s.path("source").asText()
                        + String.format(" %.6f", s.path("score").asDouble())));
    return ids;
  }

  private static String doc(String id, String title, String text) throws IOException {
    return JSON.writeValueAsString(Map.of("_id", id, "title", title, "text", text));
  }

  @Override
  protected URI baseUri() {
    return URI.create(server.getURL().toString());
  }
}
