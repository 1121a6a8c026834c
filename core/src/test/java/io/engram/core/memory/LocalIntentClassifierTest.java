package io.engram.core.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

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
  void a_self_contained_question_is_searched_as_it_is() {
    var c =
        classifier.classify(
            "Does coffee harm the liver?", history("What reduces heart attack risk?"));
    assertThat(c.intent()).isEqualTo(Intent.QUESTION);
    assertThat(c.query()).isEqualTo("Does coffee harm the liver?");
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
  void what_about_and_very_short_turns_are_follow_ups_only_with_history() {
    assertThat(
            classifier
                .classify("What about children?", history("Does coffee harm the liver?"))
                .intent())
        .isEqualTo(Intent.FOLLOW_UP);
    assertThat(classifier.classify("What about children?", List.of()).intent())
        .isEqualTo(Intent.QUESTION);
  }

  @Test
  void a_chain_of_follow_ups_keeps_its_topic() {
    List<WorkingMemory.Turn> h =
        List.of(
            new WorkingMemory.Turn(
                "user",
                "Does coffee harm the liver?",
                "question",
                "Does coffee harm the liver?",
                List.of()),
            new WorkingMemory.Turn(
                "user",
                "Is it safe for children?",
                "follow-up",
                "Is coffee safe for children?",
                List.of()));
    assertThat(classifier.classify("And for pregnant women?", h).query()).contains("coffee");
  }

  @Test
  void the_topic_is_the_first_run_of_content_words() {
    assertThat(LocalIntentClassifier.topicOf("Does vitamin D supplementation reduce fractures?"))
        .contains("vitamin d supplementation");
    assertThat(LocalIntentClassifier.topicOf("Is coffee good for the liver?")).contains("coffee");
    assertThat(LocalIntentClassifier.topicOf("is it?")).isEmpty();
  }

  @Test
  void chit_chat_and_memory_statements_are_recognized() {
    assertThat(classifier.classify("Thanks a lot!", List.of()).intent())
        .isEqualTo(Intent.CHIT_CHAT);
    assertThat(classifier.classify("hello", List.of()).intent()).isEqualTo(Intent.CHIT_CHAT);
    assertThat(classifier.classify("I prefer short answers with sources", List.of()).intent())
        .isEqualTo(Intent.MEMORY_STATEMENT);
    assertThat(Intent.MEMORY_STATEMENT.wireName()).isEqualTo("memory-statement");
  }
}
