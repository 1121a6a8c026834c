package io.engram.core.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.core.config.EngramSettings;
import io.engram.core.llm.AnswerGenerator;
import io.engram.core.llm.ChatModelGateway;
import io.engram.core.llm.LlmSettings;
import io.engram.core.memory.FactKind;
import io.engram.core.memory.MemoryHit;
import io.engram.core.memory.MemoryTier;
import io.engram.core.retrieval.Candidate;
import io.engram.core.store.PgVectorChunkStore.ChunkHit;
import io.engram.testing.ChatStubServer;
import io.engram.testing.OpenAiStubServer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An LLM that fails never fails the query: the real OpenAI client of the gateway talks to a local
 * HTTP endpoint that answers 500, or too slowly, and the answer falls back to extractive with a
 * warning. The successful path against a real model is LlmAnswerIT.
 */
class AnswererTest {
  private static final List<Candidate> HITS =
      List.of(
          Candidate.fused(
              new ChunkHit(1, 1, "coffee.md", "Coffee", "Caffeine blocks adenosine receptors.", 1),
              1,
              1,
              1));

  private OpenAiStubServer server;

  /** An answerer whose LLM endpoint answers every call with {@code reply}. */
  private Answerer answererFor(ChatStubServer.Reply reply, int timeoutMillis) {
    server = OpenAiStubServer.start(request -> reply);
    LlmSettings settings =
        EngramSettings.of(
                Map.of(
                    "ENGRAM_LLM_PROVIDER", "openai",
                    "ENGRAM_LLM_BASE_URL", server.baseUrl(),
                    "ENGRAM_LLM_MODEL", "any",
                    "ENGRAM_LLM_API_KEY", "sk-must-not-leak",
                    "ENGRAM_LLM_TIMEOUT_MS", String.valueOf(timeoutMillis),
                    "ENGRAM_LLM_MAX_RETRIES", "1",
                    "ENGRAM_LLM_BREAKER_FAILURES", "2"))
            .llm();
    return new Answerer(new AnswerGenerator(ChatModelGateway.create(settings).orElseThrow()));
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void without_an_llm_a_question_about_the_asker_is_answered_from_memory() {
    MemoryHit tea =
        new MemoryHit(
            MemoryTier.EPISODIC,
            7,
            "beverage",
            FactKind.PREFERENCE,
            "User prefers green tea",
            0.9,
            0.9,
            0.5,
            0.7,
            0,
            List.of(3L),
            Instant.EPOCH,
            7);
    Answerer extractive = new Answerer(null);
    Answerer.Answer mine = extractive.answer("What kind of tea do I like?", HITS, List.of(tea));
    assertThat(mine.text()).isEqualTo("User prefers green tea [2]");
    assertThat(mine.citations()).containsExactly(2);
    Answerer.Answer general = extractive.answer("What does caffeine block?", HITS, List.of(tea));
    assertThat(general.citations()).containsExactly(1);
    assertThat(extractive.answer("anything", List.of(), List.of(tea)).citations())
        .containsExactly(1);
  }

  @Test
  void a_500_from_the_llm_gives_an_extractive_answer_with_a_warning() throws Exception {
    Answerer answerer = answererFor(ChatStubServer.Reply.error(500), 5_000);
    Answerer.Answer answer = answerer.answer("What does caffeine block?", HITS);
    assertThat(answer.mode()).isEqualTo("extractive");
    assertThat(answer.text()).isEqualTo("Caffeine blocks adenosine receptors. [1]");
    assertThat(answer.citations()).containsExactly(1);
    assertThat(answer.warning())
        .contains("LLM call failed")
        .contains("answered extractively")
        .doesNotContain("sk-must-not-leak");
    assertThat(server.requests()).as("one retry of a 5xx").hasSize(2);
  }

  @Test
  void a_timeout_gives_an_extractive_answer_and_the_breaker_then_spares_the_endpoint()
      throws Exception {
    // The endpoint never answers: the client's own timeout ends each call.
    Answerer answerer = answererFor(ChatStubServer.Reply.none(), 300);
    for (int i = 0; i < 2; i++) {
      assertThat(answerer.answer("q", HITS).mode()).isEqualTo("extractive");
    }
    int before = server.requests().size();
    Answerer.Answer answer = answerer.answer("q", HITS);
    assertThat(answer.mode()).isEqualTo("extractive");
    assertThat(answer.warning()).contains("circuit breaker is open");
    assertThat(server.requests()).hasSize(before);
  }
}
