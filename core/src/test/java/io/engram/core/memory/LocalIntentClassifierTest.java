package io.engram.core.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How the local rules find a topic and rewrite a follow-up with it. What every classifier decides
 * the same way is checked by {@link LocalIntentClassifierContractTest}.
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
}
