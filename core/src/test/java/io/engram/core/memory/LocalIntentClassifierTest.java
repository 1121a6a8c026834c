package io.engram.core.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * How the local rules find a topic and rewrite a follow-up with it, and tell a turn that only
 * states something about the user from one that also asks. What every classifier decides the same
 * way is checked by {@link LocalIntentClassifierContractTest}.
 */
class LocalIntentClassifierTest {
  private final LocalIntentClassifier classifier = new LocalIntentClassifier();

  private static List<WorkingMemory.Turn> history(String... userQuestions) {
    return java.util.Arrays.stream(userQuestions)
        .flatMap(
            q ->
                java.util.stream.Stream.of(
                    new WorkingMemory.Turn("user", q, "question", q, List.of()),
                    new WorkingMemory.Turn("assistant", "answer", null, null, List.of("d1"))))
        .toList();
  }

  @Test
  void a_follow_up_pronoun_is_replaced_by_the_topic_of_the_previous_question() {
    var c =
        classifier.classify(
            "Is it safe for children?",
            history("What reduces heart attack risk?", "Does coffee harm the liver?"));
    assertThat(c.intent()).isEqualTo(Intent.FOLLOW_UP);
    assertThat(c.query()).isEqualTo("Is coffee safe for children?");
  }

  @Test
  void the_topic_is_the_first_run_of_content_words() {
    assertThat(LocalIntentClassifier.topicOf("Does vitamin D supplementation reduce fractures?"))
        .contains("vitamin d supplementation");
    assertThat(LocalIntentClassifier.topicOf("Is coffee good for the liver?")).contains("coffee");
    assertThat(LocalIntentClassifier.topicOf("is it?")).isEmpty();
  }

  @Test
  void a_turn_that_only_states_or_makes_small_talk_is_a_memory_statement() {
    for (String turn :
        List.of(
            "I prefer tea. I live in Oslo.",
            "My name is Ada. Nice to meet you.",
            "Hi! I work as a nurse; I always drink coffee at night.")) {
      assertThat(classifier.classify(turn, List.of()).intent())
          .as(turn)
          .isEqualTo(Intent.MEMORY_STATEMENT);
    }
  }

  @Test
  void a_turn_that_also_asks_is_a_question_searched_for_what_it_asks() {
    Map<String, String> searched =
        Map.of(
            "I work as a nurse. Is coffee safe for night shifts?",
            "Is coffee safe for night shifts?",
            "I am allergic to penicillin, is amoxicillin safe?",
            "I am allergic to penicillin, is amoxicillin safe?",
            "I'm wondering whether green tea lowers blood pressure",
            "I'm wondering whether green tea lowers blood pressure",
            "I'm not sure whether coffee is safe for children",
            "I'm not sure whether coffee is safe for children",
            "Thanks! I work as a neurologist. 0-dimensional biomaterials show inductive properties.",
            "0-dimensional biomaterials show inductive properties.");
    searched.forEach(
        (turn, query) -> {
          var c = classifier.classify(turn, List.of());
          assertThat(c.intent()).as(turn).isEqualTo(Intent.QUESTION);
          assertThat(c.query()).as(turn).isEqualTo(query);
        });
  }

  @Test
  void the_topic_of_a_follow_up_is_what_the_previous_turn_asked_not_what_it_stated() {
    var c =
        classifier.classify(
            "Is it safe for children?",
            history("I work as a nurse. Does vitamin D reduce fractures?"));
    assertThat(c.intent()).isEqualTo(Intent.FOLLOW_UP);
    assertThat(c.query()).isEqualTo("Is vitamin d safe for children?");
  }

  @Test
  void a_follow_up_after_a_statement_is_rewritten_without_the_statement() {
    var c =
        classifier.classify(
            "I work night shifts. Is it safe for me?", history("Does coffee harm the liver?"));
    assertThat(c.intent()).isEqualTo(Intent.FOLLOW_UP);
    assertThat(c.query()).isEqualTo("Is coffee safe for me?");
  }
}
