package io.engram.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.engram.testing.EngramServices;
import io.engram.testing.EngramServicesExtension;
import io.engram.testing.LlamaServer;
import io.engram.workers.WorkerMain;
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

/**
 * Generation through the LLM gateway against a real local OpenAI-compatible server: llama.cpp's
 * server with Gemma 3 270M, installed by {@code scripts/install-deps.sh llm}. The answer's
 * citations must name sources the response returns.
 */
@EngramServices
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class LlmAnswerIT extends ApiTestSupport implements TestPropertyProvider {
  private static final Pattern CITATION = Pattern.compile("\\[(\\d+)]");

  @Inject EmbeddedServer server;

  private Path root;
  private String dbUrl;
  private LlamaServer llm;
  private WorkerMain worker;

  @Override
  public Map<String, String> getProperties() {
    try {
      root = Files.createTempDirectory("engram-llm-root");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    llm = LlamaServer.start();
    dbUrl = EngramServicesExtension.postgres().createDatabase("llm_it");
    return serviceProperties(
        dbUrl,
        Map.of(
            "engram.ingest.roots",
            root.toString(),
            "engram.llm.provider",
            "openai",
            "engram.llm.base.url",
            llm.baseUrl(),
            "engram.llm.model",
            LlamaServer.MODEL,
            // Two cores shared with the build: generous, but bounded.
            "engram.llm.timeout.ms",
            "120000",
            "engram.llm.max.tokens",
            "96"));
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

  @Override
  protected URI baseUri() {
    return URI.create(server.getURL().toString());
  }
}
