package io.engram.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.engram.testing.EngramServices;
import io.engram.testing.EngramServicesExtension;
import io.engram.testing.LlamaServer;
import io.engram.workers.EngramWorker;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Generation and intent classification through the LLM gateway against a real local
 * OpenAI-compatible server: llama.cpp's server with Gemma 3 270M, installed by {@code
 * scripts/install-deps.sh llm}. The answer's citations must name sources the response returns; a
 * follow-up turn is well-formed whatever the base model makes of the intent prompt (its verdict, or
 * the local rules' with a warning).
 */
@EngramServices
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class LlmAnswerIT extends ApiTestSupport implements TestPropertyProvider {
  private static final Logger log = LoggerFactory.getLogger(LlmAnswerIT.class);
  private static final Pattern CITATION = Pattern.compile("\\[(\\d+)]");

  @Inject EmbeddedServer server;

  /** The ingestion root; each test ingests a directory of its own under it. */
  private Path base;

  private Path root;
  private String dbUrl;
  private LlamaServer llm;
  private EngramWorker worker;

  @Override
  public Map<String, String> getProperties() {
    try {
      base = Files.createTempDirectory("engram-llm-root");
      root = Files.createDirectories(base.resolve("drinks"));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    llm = LlamaServer.start();
    dbUrl = EngramServicesExtension.postgres().createDatabase("llm_it");
    return serviceProperties(
        dbUrl,
        Map.ofEntries(
            Map.entry("engram.ingest.roots", base.toString()),
            Map.entry("engram.llm.provider", "openai"),
            Map.entry("engram.llm.base.url", llm.baseUrl()),
            Map.entry("engram.llm.model", LlamaServer.MODEL),
            // Two cores shared with the build: generous, but bounded.
            Map.entry("engram.llm.timeout.ms", "120000"),
            Map.entry("engram.llm.max.tokens", "96"),
            // Long enough for the model to reply on a busy machine, so that its reply (not a
            // timeout) is what the intent turn handles.
            Map.entry("engram.intent.timeout-ms", "60000")));
  }

  @BeforeAll
  void startWorker() throws Exception {
    worker = startWorker(dbUrl);
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
  void the_llm_answer_cites_only_returned_sources() throws Exception {
    Files.writeString(
        root.resolve("coffee.md"),
        "# Coffee\n\nCoffee contains caffeine, a stimulant that blocks adenosine receptors in the"
            + " brain and keeps people awake.");
    Files.writeString(
        root.resolve("tea.md"),
        "# Tea\n\nTea is brewed from the dried leaves of the Camellia sinensis plant.");
    Files.writeString(
        root.resolve("reefs.md"),
        "# Coral reefs\n\nCoral reefs bleach when sea temperatures rise for several weeks.");
    Reply started = post("/v1/ingestions", Map.of("path", root.toString(), "collection", "drinks"));
    assertThat(started.status()).as(started.body()).isEqualTo(202);
    assertThat(awaitCompletion(started.json().path("workflowId").asText()).path("done").asInt())
        .isEqualTo(3);

    Reply reply =
        post(
            "/v1/query",
            Map.of("query", "What does caffeine block?", "collection", "drinks", "topK", 2));
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    JsonNode body = reply.json();
    assertThat(body.path("answerMode").asText()).as(body.toString()).isEqualTo("llm");
    assertThat(body.path("timings").has("generateMs")).isTrue();
    JsonNode sources = body.path("sources");
    assertThat(sources).hasSize(2);
    assertThat(sources.get(0).path("title").asText()).isEqualTo("Coffee");

    // Every [n] left in the text names one of the returned sources, and the citations field says
    // the same numbers.
    String answer = body.path("answer").asText();
    List<Integer> inText = new ArrayList<>();
    Matcher m = CITATION.matcher(answer);
    while (m.find()) {
      inText.add(Integer.parseInt(m.group(1)));
    }
    List<Integer> citations = new ArrayList<>();
    body.path("citations").forEach(n -> citations.add(n.asInt()));
    assertThat(citations).as(answer).isNotEmpty();
    assertThat(citations).allSatisfy(n -> assertThat(n).isBetween(1, sources.size()));
    assertThat(inText).allSatisfy(n -> assertThat(n).isBetween(1, sources.size()));
    assertThat(inText).containsAll(citations);
    assertThat(answer).containsIgnoringCase("adenosine");
  }

  @Test
  void a_follow_up_classified_by_gemma_is_answered_whatever_it_replies() throws Exception {
    Path dir = Files.createDirectories(base.resolve("chat"));
    Files.writeString(
        dir.resolve("coffee.md"),
        "# Coffee and the liver\n\nRegular coffee drinkers have lower rates of liver cirrhosis.");
    Files.writeString(
        dir.resolve("kids.md"),
        "# Caffeine in children\n\nCaffeine disturbs the sleep of children; pediatricians advise"
            + " limiting it.");
    Reply started = post("/v1/ingestions", Map.of("path", dir.toString(), "collection", "chat"));
    assertThat(started.status()).as(started.body()).isEqualTo(202);
    assertThat(awaitCompletion(started.json().path("workflowId").asText()).path("done").asInt())
        .isEqualTo(2);
    String sessionId =
        post("/v1/sessions", Map.of("collection", "chat")).json().path("sessionId").asText();
    Reply first =
        post(
            "/v1/query",
            Map.of("query", "Is coffee good for the liver?", "sessionId", sessionId, "topK", 2));
    assertThat(first.status()).as(first.body()).isEqualTo(200);

    Reply reply =
        post(
            "/v1/query",
            Map.of("query", "Is it safe for children?", "sessionId", sessionId, "topK", 2));
    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    JsonNode body = reply.json();
    // What Gemma made of it is in the test log: a 270M base model often writes no valid JSON.
    log.info("Gemma's intent turn: {}", body);
    String intent = body.path("intent").asText();
    assertThat(intent).isIn("question", "follow-up", "chit-chat", "memory-statement");
    String source = body.path("intentSource").asText();
    assertThat(source).isIn("llm", "local");
    String warning = body.path("warning").isTextual() ? body.path("warning").asText() : "";
    if (source.equals("local")) {
      // The model was asked (there is history), so deciding locally means it failed: reported.
      assertThat(warning).startsWith("intent: ").contains("classified by the local rules");
      assertThat(intent).isEqualTo("follow-up");
      assertThat(body.path("rewrittenQuery").asText()).isEqualTo("Is coffee safe for children?");
    } else {
      assertThat(warning).doesNotContain("intent: ");
    }
    if (intent.equals("follow-up")) {
      assertThat(body.path("rewrittenQuery").asText()).isNotBlank();
    } else {
      assertThat(body.path("rewrittenQuery").isTextual()).as(body.toString()).isFalse();
    }
    assertThat(body.path("timings").path("intentMs").asDouble()).isPositive();
    assertThat(body.path("answer").asText()).isNotBlank();
  }

  @Override
  protected URI baseUri() {
    return URI.create(server.getURL().toString());
  }
}
