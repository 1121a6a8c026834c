package io.engram.core.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engram.core.config.EngramSettings;
import io.engram.core.llm.ChatModelGateway;
import io.engram.core.llm.LlmGateway;
import io.engram.core.llm.LlmSettings;
import io.engram.core.llm.LlmUnavailableException;
import io.engram.testing.ChatStubServer.Reply;
import io.engram.testing.OpenAiStubServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LlmFactExtractorTest {

  private static final Map<Integer, Long> TURNS = Map.of(1, 11L, 2, 13L);

  @Test
  void a_valid_array_becomes_facts_with_turn_ids() throws Exception {
    List<ExtractedFact> facts =
        LlmFactExtractor.parse(
            """
            [{"subject":"Beverage","kind":"preference","text":"User prefers tea",
              "confidence":0.8,"turns":[1]},
             {"subject":"employer","kind":"who","text":"User works at Acme","confidence":1,
              "turns":[1,2]}]""",
            TURNS);
    assertThat(facts)
        .containsExactly(
            new ExtractedFact(
                "beverage", FactKind.PREFERENCE, "User prefers tea", 0.8, List.of(11L)),
            new ExtractedFact(
                "employer", FactKind.WHO, "User works at Acme", 1, List.of(11L, 13L)));
  }

  @Test
  void a_code_fence_and_an_empty_array_are_accepted() throws Exception {
    assertThat(LlmFactExtractor.parse("```json\n[]\n```", TURNS)).isEmpty();
  }

  @Test
  void every_malformed_shape_is_rejected_as_a_whole() {
    List<String> malformed =
        List.of(
            "Sure! The user likes tea.",
            "{\"subject\":\"beverage\"}",
            "[{\"subject\":\"b\",\"kind\":\"feeling\",\"text\":\"t\",\"confidence\":0.5,\"turns\":[1]}]",
            "[{\"subject\":\"b\",\"kind\":\"what\",\"text\":\"t\",\"confidence\":1.5,\"turns\":[1]}]",
            "[{\"subject\":\"b\",\"kind\":\"what\",\"text\":\"t\",\"confidence\":\"high\",\"turns\":[1]}]",
            "[{\"subject\":\"b\",\"kind\":\"what\",\"text\":\"\",\"confidence\":0.5,\"turns\":[1]}]",
            "[{\"subject\":\"b\",\"kind\":\"what\",\"text\":\"t\",\"confidence\":0.5,\"turns\":[7]}]",
            "[{\"subject\":\"b\",\"kind\":\"what\",\"text\":\"t\",\"confidence\":0.5}]",
            "[{\"subject\":\"b\",\"kind\":\"what\",\"text\":\"t\",\"confidence\":0.5,\"turns\":[1],\"x\":1}]",
            "[{\"subject\":\"b\",\"kind\":\"what\",\"text\":\"t\",\"confidence\":0.5,\"turns\":[1]},"
                + " \"and more\"]",
            "[{\"subject\":\"b\",\"kind\":\"what\"");
    for (String reply : malformed) {
      assertThatThrownBy(() -> LlmFactExtractor.parse(reply, TURNS))
          .as(reply)
          .isInstanceOf(MalformedExtractionException.class);
    }
  }

  @Test
  void the_prompt_numbers_only_user_turns_and_lists_known_subjects() throws Exception {
    List<String> prompts = new ArrayList<>();
    LlmGateway gateway =
        new LlmGateway() {
          @Override
          public String complete(String system, String user) {
            prompts.add(user);
            return "[{\"subject\":\"beverage\",\"kind\":\"preference\",\"text\":\"User prefers"
                + " coffee\",\"confidence\":0.9,\"turns\":[2]}]";
          }

          @Override
          public String modelName() {
            return "fake:model";
          }
        };
    LlmFactExtractor extractor = new LlmFactExtractor(gateway);
    List<ExtractedFact> facts =
        extractor.extract(
            List.of(
                new FactExtractor.Turn(5, "user", "I prefer tea"),
                new FactExtractor.Turn(6, "assistant", "Noted"),
                new FactExtractor.Turn(7, "user", "Actually coffee")),
            List.of("beverage"));
    assertThat(extractor.name()).isEqualTo("llm:fake:model");
    assertThat(facts)
        .singleElement()
        .extracting(ExtractedFact::sourceTurnIds)
        .isEqualTo(List.of(7L));
    assertThat(prompts.get(0))
        .contains("[1] User: I prefer tea", "[2] User: Actually coffee", "beverage")
        .doesNotContain("Noted");
  }

  private static LlmFactExtractor throughTheClient(OpenAiStubServer server) {
    return new LlmFactExtractor(
        ChatModelGateway.create(
                EngramSettings.of(
                        Map.of(
                            LlmSettings.ENV_PROVIDER, "openai",
                            LlmSettings.ENV_BASE_URL, server.baseUrl(),
                            LlmSettings.ENV_MODEL, "stub-model",
                            LlmSettings.ENV_MAX_RETRIES, "0"))
                    .llm())
            .orElseThrow());
  }

  @Test
  void a_malformed_reply_through_the_client_is_refused_whole() {
    try (OpenAiStubServer server =
        OpenAiStubServer.start(r -> Reply.completion("Sure! The user likes tea."))) {
      assertThatThrownBy(
              () ->
                  throughTheClient(server)
                      .extract(List.of(new FactExtractor.Turn(1, "user", "I like tea")), List.of()))
          .isInstanceOf(MalformedExtractionException.class)
          .hasMessageContaining("not JSON");
    }
  }

  @Test
  void a_failing_llm_is_unavailable_rather_than_an_empty_extraction() {
    try (OpenAiStubServer server = OpenAiStubServer.start(r -> Reply.error(500))) {
      assertThatThrownBy(
              () ->
                  throughTheClient(server)
                      .extract(List.of(new FactExtractor.Turn(1, "user", "I like tea")), List.of()))
          .isInstanceOf(LlmUnavailableException.class);
      assertThat(server.requests()).hasSize(1);
    }
  }

  @Test
  void no_user_turn_means_no_call() {
    try (OpenAiStubServer server = OpenAiStubServer.start(r -> Reply.completion("[]"))) {
      throughTheClient(server)
          .extract(List.of(new FactExtractor.Turn(1, "assistant", "I like tea")), List.of());
      assertThat(server.requests()).isEmpty();
    } catch (MalformedExtractionException | LlmUnavailableException e) {
      throw new AssertionError(e);
    }
  }
}
