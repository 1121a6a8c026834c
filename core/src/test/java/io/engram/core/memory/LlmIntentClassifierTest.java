package io.engram.core.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.core.config.EngramSettings;
import io.engram.core.llm.ChatModelGateway;
import io.engram.core.llm.LlmSettings;
import io.engram.core.memory.IntentClassifier.Classified;
import io.engram.core.memory.IntentClassifier.Source;
import io.engram.testing.ChatStubServer.Reply;
import io.engram.testing.OpenAiStubServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The LLM intent classifier through the real langchain4j OpenAI client of {@link ChatModelGateway},
 * built with the intent budget as the API builds it, against a local OpenAI-compatible endpoint
 * whose replies each test scripts (good, malformed, failing, missing): what is particular to it
 * (the prompt, the guard rails, the fallbacks and what they report). What every classifier decides
 * the same way is checked by {@link LlmIntentClassifierContractTest}.
 */
class LlmIntentClassifierTest {
  private static final List<WorkingMemory.Turn> COFFEE =
      List.of(
          new WorkingMemory.Turn(
              "user",
              "Does aspirin prevent heart attacks?",
              "question",
              "Does aspirin prevent heart attacks?",
              List.of()),
          new WorkingMemory.Turn(
              "assistant",
              "Daily low-dose aspirin reduces the risk of a first heart attack. [1]",
              null,
              null,
              List.of("aspirin-heart")),
          new WorkingMemory.Turn(
              "user",
              "Is coffee good for the liver?",
              "question",
              "Is coffee good for the liver?",
              List.of()),
          new WorkingMemory.Turn(
              "assistant",
              "Regular coffee consumption is associated with lower rates of liver fibrosis. [1]",
              null,
              null,
              List.of("coffee-liver")));

  private final LocalIntentClassifier local = new LocalIntentClassifier();
  private OpenAiStubServer server;

  private LlmIntentClassifier classifier(
      Function<OpenAiStubServer.Request, Reply> responder, int timeoutMillis, int breakerFailures) {
    server = OpenAiStubServer.start(responder);
    LlmSettings settings =
        EngramSettings.of(
                Map.of(
                    "ENGRAM_LLM_PROVIDER", "openai",
                    "ENGRAM_LLM_BASE_URL", server.baseUrl(),
                    "ENGRAM_LLM_MODEL", "stub-model",
                    "ENGRAM_LLM_API_KEY", "sk-must-not-leak",
                    "ENGRAM_LLM_BREAKER_FAILURES", String.valueOf(breakerFailures)))
            .llm()
            .withCallBudget(Duration.ofMillis(timeoutMillis), 0, 64, 0);
    return new LlmIntentClassifier(ChatModelGateway.create(settings).orElseThrow(), local);
  }

  private LlmIntentClassifier classifier(Function<OpenAiStubServer.Request, Reply> responder) {
    return classifier(responder, 5_000, 5);
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void a_follow_up_the_rules_miss_is_rewritten_by_the_llm() {
    var classifier =
        classifier(
            r ->
                Reply.completion(
                    "{\"intent\":\"follow_up\",\"query\":\"Is coffee risky for kids?\"}"));
    String turn = "Which risks exist for young kids?";
    // No pronoun, no follow-up opener, six words: the rules see a standalone question.
    assertThat(local.classify(turn, COFFEE).intent()).isEqualTo(Intent.QUESTION);

    Classified c = classifier.classify(turn, COFFEE);
    assertThat(c)
        .isEqualTo(new Classified(Intent.FOLLOW_UP, "Is coffee risky for kids?", Source.LLM, null));
    assertThat(classifier.name()).isEqualTo("llm:openai:stub-model");
    assertThat(server.requests()).hasSize(1);
    var body = server.requests().get(0).body();
    assertThat(body.path("max_tokens").asInt(body.path("max_completion_tokens").asInt()))
        .isEqualTo(64);
    assertThat(body.path("temperature").asDouble()).isZero();
  }

  @Test
  void the_prompt_holds_the_last_turns_and_the_new_one() {
    var classifier =
        classifier(r -> Reply.completion("{\"intent\":\"question\",\"query\":\"whatever\"}"));
    List<WorkingMemory.Turn> history =
        new java.util.ArrayList<>(
            List.of(
                new WorkingMemory.Turn(
                    "user", "Where do glaciers melt?", "question", null, List.of()),
                new WorkingMemory.Turn("assistant", "In Greenland. [1]", null, null, List.of())));
    history.addAll(COFFEE.subList(2, 4));
    history.add(
        new WorkingMemory.Turn(
            "user",
            "Is it safe for children?",
            "follow-up",
            "Is coffee safe for children?",
            List.of()));
    history.add(
        new WorkingMemory.Turn(
            "assistant", "Pediatricians advise limiting caffeine. [1]", null, null, List.of()));

    Classified c = classifier.classify("What about pregnant women?", history);
    assertThat(c.source()).isEqualTo(Source.LLM);

    OpenAiStubServer.Request request = server.requests().get(0);
    assertThat(request.system()).isEqualTo(LlmIntentClassifier.SYSTEM);
    assertThat(request.user())
        .contains("User: Is coffee good for the liver?")
        .contains("Assistant: Regular coffee consumption is associated with lower rates")
        .contains("User: Is it safe for children? (standalone: Is coffee safe for children?)")
        .contains("Assistant: Pediatricians advise limiting caffeine.")
        .endsWith("Newest message: What about pregnant women?\nJSON:")
        // Only the last two exchanges are shown.
        .doesNotContain("glaciers");
  }

  @Test
  void a_rewrite_of_a_standalone_question_is_not_used() {
    var classifier =
        classifier(
            r ->
                Reply.completion(
                    "{\"intent\":\"question\",\"query\":\"coffee liver cirrhosis fibrosis\"}"));
    Classified c = classifier.classify("Does green tea lower blood pressure?", COFFEE);
    assertThat(c)
        .isEqualTo(
            new Classified(
                Intent.QUESTION, "Does green tea lower blood pressure?", Source.LLM, null));
  }

  @Test
  void a_question_beside_a_statement_is_searched_for_what_it_asks() {
    var classifier =
        classifier(
            r ->
                Reply.completion(
                    "{\"intent\":\"question\",\"query\":\"I work night shifts. Is green tea"
                        + " safe at night?\"}"));
    Classified c = classifier.classify("I work night shifts. Is green tea safe at night?", COFFEE);
    assertThat(server.requests()).hasSize(1);
    assertThat(c)
        .isEqualTo(
            new Classified(Intent.QUESTION, "Is green tea safe at night?", Source.LLM, null));
  }

  @Test
  void a_malformed_reply_falls_back_to_the_local_rules_for_that_turn() {
    var classifier = classifier(r -> Reply.completion("This message is a follow-up about coffee."));
    Classified c = classifier.classify("Is it safe for children?", COFFEE);
    assertThat(c.source()).isEqualTo(Source.LOCAL);
    assertThat(c.intent()).isEqualTo(Intent.FOLLOW_UP);
    assertThat(c.query()).isEqualTo("Is coffee safe for children?");
    assertThat(c.fallback()).contains("malformed").contains("no JSON object");
  }

  @Test
  void an_unknown_intent_falls_back_to_the_local_rules() {
    var classifier =
        classifier(r -> Reply.completion("{\"intent\":\"lookup\",\"query\":\"coffee\"}"));
    Classified c = classifier.classify("Which risks exist for young kids?", COFFEE);
    assertThat(c)
        .isEqualTo(
            local.classify("Which risks exist for young kids?", COFFEE).asFallback(c.fallback()));
    assertThat(c.fallback()).contains("unknown intent 'lookup'");
  }

  @Test
  void a_500_falls_back_at_once_without_a_retry() {
    var classifier = classifier(r -> Reply.error(500), 2_000, 5);
    Classified c = classifier.classify("Is it safe for children?", COFFEE);
    assertThat(c.source()).isEqualTo(Source.LOCAL);
    assertThat(c.query()).isEqualTo("Is coffee safe for children?");
    assertThat(c.fallback())
        .contains("unavailable")
        .contains("InternalServerException")
        .doesNotContain("sk-must-not-leak")
        .doesNotContain("children");
    assertThat(server.requests()).as("the local rules are the retry").hasSize(1);
  }

  @Test
  void a_reply_that_does_not_come_within_the_intent_timeout_falls_back() {
    var classifier = classifier(r -> Reply.none(), 400, 5);
    Classified c = classifier.classify("Is it safe for children?", COFFEE);
    assertThat(c.source()).isEqualTo(Source.LOCAL);
    assertThat(c.query()).isEqualTo("Is coffee safe for children?");
    assertThat(c.fallback()).contains("unavailable").contains("Timeout");
    assertThat(server.requests()).as("the local rules are the retry").hasSize(1);
  }

  @Test
  void after_repeated_failures_the_breaker_spares_the_endpoint() {
    var classifier = classifier(r -> Reply.error(503), 2_000, 2);
    classifier.classify("Is it safe for children?", COFFEE);
    classifier.classify("Is it safe for children?", COFFEE);
    assertThat(server.requests()).hasSize(2);
    Classified c = classifier.classify("Is it safe for children?", COFFEE);
    assertThat(server.requests()).hasSize(2);
    assertThat(c.source()).isEqualTo(Source.LOCAL);
    assertThat(c.fallback()).contains("circuit breaker is open");
  }

  @Test
  void small_talk_statements_and_turns_without_history_do_not_call_the_llm() {
    var classifier = classifier(r -> Reply.completion("{\"intent\":\"question\",\"query\":\"q\"}"));
    assertThat(classifier.classify("Thanks a lot!", COFFEE))
        .isEqualTo(Classified.local(Intent.CHIT_CHAT, "Thanks a lot!"));
    assertThat(classifier.classify("I prefer short answers", COFFEE))
        .isEqualTo(Classified.local(Intent.MEMORY_STATEMENT, "I prefer short answers"));
    assertThat(classifier.classify("Is it safe for children?", List.of()))
        .isEqualTo(Classified.local(Intent.QUESTION, "Is it safe for children?"));
    assertThat(server.requests()).isEmpty();
  }
}
