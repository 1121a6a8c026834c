package io.engram.core.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engram.core.llm.LlmGateway;
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
}
