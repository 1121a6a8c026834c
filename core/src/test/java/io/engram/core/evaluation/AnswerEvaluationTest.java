package io.engram.core.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.engram.core.config.EngramSettings;
import io.engram.core.llm.AnswerGenerator;
import io.engram.core.llm.ChatModelGateway;
import io.engram.core.llm.LlmSettings;
import io.engram.core.query.Answerer;
import io.engram.core.retrieval.Candidate;
import io.engram.core.store.PgVectorChunkStore.ChunkHit;
import io.engram.testing.FreePorts;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Scoring one sampled query: the real gateway and OpenAI client against a local OpenAI-compatible
 * HTTP server that replies with a fixed answer, so every figure can be computed by hand.
 */
@Timeout(60)
class AnswerEvaluationTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final List<Candidate> HITS =
      List.of(
          hit("d-aspirin", "Aspirin", "Daily low-dose aspirin reduces the risk of a heart attack."),
          hit("d-tea", "Tea", "Tea is brewed from the dried leaves of the Camellia plant."),
          hit("d-aspirin", "Aspirin", "Aspirin thins the blood."));

  private static final EvaluationAnswers.Pending QUERY =
      new EvaluationAnswers.Pending(
          0, "q1", "Does aspirin prevent heart attacks?", Map.of("d-aspirin", 1, "d-gone", 1));

  /**
   * The question on axis 0, the answer at (0.8, 0.6) in axes 0 and 1, every other text on an axis
   * of its own: no passage sentence is similar to a claim.
   */
  private final AnswerMetrics.Embedder embedder =
      new AnswerMetrics.Embedder() {
        private final List<String> others = new java.util.ArrayList<>();

        @Override
        public float[] embed(String text) {
          float[] v = new float[64];
          if (text.equals(QUERY.text())) {
            v[0] = 1;
          } else if (text.equals("Aspirin reduces heart attack risk. Coffee protects the liver.")) {
            v[0] = 0.8f;
            v[1] = 0.6f;
          } else {
            if (!others.contains(text)) {
              others.add(text);
            }
            v[2 + others.indexOf(text)] = 1;
          }
          return v;
        }
      };

  private HttpServer server;
  private final AtomicReference<String> reply = new AtomicReference<>();
  private final AtomicReference<String> prompt = new AtomicReference<>();

  @BeforeEach
  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/v1/chat/completions",
        exchange -> {
          prompt.set(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          byte[] body =
              JSON.writeValueAsBytes(
                  Map.of(
                      "id", "c1",
                      "object", "chat.completion",
                      "created", 1,
                      "model", "local",
                      "choices",
                          List.of(
                              Map.of(
                                  "index",
                                  0,
                                  "message",
                                  Map.of("role", "assistant", "content", reply.get()),
                                  "finish_reason",
                                  "stop"))));
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
  }

  @Test
  void a_generated_answer_is_scored_against_the_passages_it_was_given() throws Exception {
    reply.set("Aspirin reduces heart attack risk [1]. Coffee protects the liver [2]. [9]");

    EvaluationAnswers.Result result = scored(baseUrl(), HITS);

    assertThat(result.mode()).isEqualTo(EvaluationAnswers.MODE_LLM);
    assertThat(result.error()).isNull();
    // [9] names no passage and is removed by the generator's citation check.
    assertThat(result.answer())
        .isEqualTo("Aspirin reduces heart attack risk [1]. Coffee protects the liver [2].");
    assertThat(result.citations()).containsExactly(1, 2);
    assertThat(result.contextIds()).containsExactly("d-aspirin", "d-tea", "d-aspirin");
    // Claim 1's terms (aspirin, reduc, heart, attack, risk) are all in [1]; claim 2's (coffee,
    // protect, liver) none in [2], and its vector is far from every sentence: 1 of 2.
    assertThat(result.claims()).isEqualTo(2);
    assertThat(result.supportedClaims()).isEqualTo(1);
    assertThat(result.faithfulness()).isEqualTo(0.5);
    // Question (1, 0, 0) and answer (0.8, 0.6, 0): cosine 0.8.
    assertThat(result.relevancy()).isCloseTo(0.8, within(1e-6));
    // d-aspirin is in the context, d-gone is not.
    assertThat(result.contextRecall()).isEqualTo(0.5);
    assertThat(result.latencyMs()).isPositive();
    // The generator saw the question and the three passages, numbered.
    assertThat(prompt.get()).contains("Does aspirin prevent heart attacks?", "[3] Aspirin.");
  }

  @Test
  void an_unreachable_llm_is_a_fallback_with_its_reason_and_no_scores() throws Exception {
    String closed = "http://127.0.0.1:" + FreePorts.next() + "/v1";

    EvaluationAnswers.Result result = scored(closed, HITS);

    assertThat(result.mode()).isEqualTo(EvaluationAnswers.MODE_FALLBACK);
    assertThat(result.error()).startsWith("LLM call failed");
    assertThat(result.answer()).isNull();
    assertThat(result.faithfulness()).isNull();
    assertThat(result.relevancy()).isNull();
    assertThat(result.claims()).isNull();
    // Context recall does not depend on the answer: it is kept.
    assertThat(result.contextRecall()).isEqualTo(0.5);
  }

  @Test
  void a_query_without_passages_is_not_sent_to_the_llm() throws Exception {
    reply.set("unused [1]");

    EvaluationAnswers.Result result = scored(baseUrl(), List.of());

    assertThat(result.mode()).isEqualTo(EvaluationAnswers.MODE_FALLBACK);
    assertThat(result.error()).isEqualTo("retrieval returned no passage");
    assertThat(result.contextRecall()).isZero();
    assertThat(prompt.get()).isNull();
  }

  private String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
  }

  /** The answer the query path's answerer gives from {@code hits}, scored. */
  private EvaluationAnswers.Result scored(String baseUrl, List<Candidate> hits) {
    Answerer.Answer answer = new Answerer(generator(baseUrl)).answer(QUERY.text(), hits);
    return AnswerEvaluation.score(QUERY, hits, answer, embedder, 0.9);
  }

  private static AnswerGenerator generator(String baseUrl) {
    LlmSettings settings =
        EngramSettings.of(
                Map.of(
                    LlmSettings.ENV_PROVIDER, "openai",
                    LlmSettings.ENV_BASE_URL, baseUrl,
                    LlmSettings.ENV_MODEL, "local",
                    LlmSettings.ENV_TIMEOUT_MS, "5000",
                    LlmSettings.ENV_MAX_RETRIES, "0"))
            .llm();
    return new AnswerGenerator(ChatModelGateway.create(settings).orElseThrow());
  }

  private static Candidate hit(String source, String title, String text) {
    return Candidate.fused(new ChunkHit(1, 1, source, title, text, 0.5), 0.5, 0.5, 0.5);
  }
}
