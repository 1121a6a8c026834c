package io.engram.core.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class AnswerGeneratorTest {

  @Test
  void keeps_valid_citations_in_order_of_first_use() throws Exception {
    var answer =
        AnswerGenerator.check(
            "Caffeine blocks adenosine [2]. It is in coffee [1, 2].", Set.of(1, 2, 3));
    assertThat(answer.citations()).containsExactly(2, 1);
    assertThat(answer.text()).isEqualTo("Caffeine blocks adenosine [2]. It is in coffee [1, 2].");
    assertThat(answer.warnings()).isEmpty();
  }

  @Test
  void removes_citations_of_sources_that_were_not_given() throws Exception {
    var answer = AnswerGenerator.check("Yes [1][7]. Also [0, 2].", Set.of(1, 2));
    assertThat(answer.citations()).containsExactly(1, 2);
    assertThat(answer.text()).isEqualTo("Yes [1]. Also [2].");
    assertThat(answer.warnings()).singleElement().asString().contains("[7, 0]");
  }

  @Test
  void passages_keep_the_numbers_of_their_sources() throws Exception {
    AtomicReference<String> seen = new AtomicReference<>();
    LlmGateway gateway =
        new LlmGateway() {
          @Override
          public String complete(String system, String user) {
            seen.set(user);
            return "You prefer green tea [12]; coffee keeps you awake [1]. Also [2].";
          }

          @Override
          public String modelName() {
            return "test";
          }
        };
    var answer =
        new AnswerGenerator(gateway)
            .answer(
                "What tea do I like?",
                List.of(
                    new AnswerGenerator.Passage(1, "Coffee", "Caffeine keeps people awake."),
                    new AnswerGenerator.Passage(12, "Memory: beverage", "User prefers green tea")));
    assertThat(seen.get()).contains("\n[12] Memory: beverage. User prefers green tea\n");
    assertThat(answer.citations()).containsExactly(12, 1);
    assertThat(answer.text()).doesNotContain("[2]");
  }

  @Test
  void an_answer_without_citations_is_kept_with_a_warning() throws Exception {
    var answer = AnswerGenerator.check("I do not know.", Set.of(1, 2, 3));
    assertThat(answer.citations()).isEmpty();
    assertThat(answer.warnings()).containsExactly("the LLM answer cites no source");
  }

  @Test
  void an_answer_of_only_bogus_citations_is_no_answer() {
    assertThatThrownBy(() -> AnswerGenerator.check(" [9] ", Set.of(1, 2, 3)))
        .isInstanceOf(LlmUnavailableException.class);
  }

  @Test
  void the_prompt_numbers_passages_and_truncates_long_ones() throws Exception {
    AtomicReference<String> seen = new AtomicReference<>();
    LlmGateway gateway =
        new LlmGateway() {
          @Override
          public String complete(String system, String user) {
            seen.set(user);
            return "Coffee [1].";
          }

          @Override
          public String modelName() {
            return "test";
          }
        };
    var generator = new AnswerGenerator(gateway);
    var answer =
        generator.answer(
            "What is in coffee?",
            List.of(
                new AnswerGenerator.Passage(1, "Coffee", "Caffeine.\n\n  Lots of it."),
                new AnswerGenerator.Passage(2, null, "x".repeat(2000))));
    assertThat(answer.citations()).containsExactly(1);
    assertThat(seen.get())
        .startsWith("Sources:\n[1] Coffee. Caffeine. Lots of it.\n[2] xxx")
        .endsWith("\nQuestion: What is in coffee?\nAnswer:")
        .hasSizeLessThan(1000);
  }
}
