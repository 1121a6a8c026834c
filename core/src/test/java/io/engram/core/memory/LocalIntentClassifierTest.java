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
  void the_topic_is_the_first_noun_phrase_as_written() {
    assertThat(LocalIntentClassifier.topicOf("Does vitamin D supplementation reduce fractures?"))
        .contains("vitamin D supplementation");
    assertThat(LocalIntentClassifier.topicOf("Is coffee good for the liver?")).contains("coffee");
    assertThat(LocalIntentClassifier.topicOf("is it?")).isEmpty();
    // A word that opens the turn says how it is meant, not what it is about.
    assertThat(LocalIntentClassifier.topicOf("Actually, tell me about the Prado museum."))
        .contains("the Prado museum");
    assertThat(LocalIntentClassifier.topicOf("Well, does aspirin thin the blood?"))
        .contains("aspirin");
  }

  @Test
  void a_turn_that_only_states_or_makes_small_talk_is_a_memory_statement() {
    for (String turn :
        List.of(
            "I prefer tea. I live in Oslo.",
            "My name is Ada. Nice to meet you.",
            "Hi! I work as a nurse; I always drink coffee at night.",
            // Opened or corrected as people talk: what the fact extractor reads as statements.
            "Actually I now live in Madrid.",
            "Also, I love sailing.",
            "By the way, my name is Ada.",
            // Any statement the extractor keeps: before, these were searched as questions, and
            // the fact waited for the session's fourth exchange to be distilled.
            "My favourite colour is teal.",
            "I drive a Tesla.",
            "I've just moved to Porto.",
            "I have decided to learn Spanish.",
            "I enjoy hiking.",
            "I drive a Tesla; I live in Porto.")) {
      assertThat(classifier.classify(turn, List.of()).intent())
          .as(turn)
          .isEqualTo(Intent.MEMORY_STATEMENT);
    }
  }

  @Test
  void an_opening_word_does_not_turn_a_question_or_a_doubt_into_a_statement() {
    for (String turn :
        List.of(
            "But I am not sure whether coffee is safe at night",
            "So I'm looking for studies on statins and memory loss",
            "And I am trying to understand how metformin works",
            "So what causes myelin loss?",
            "Actually, does aspirin prevent heart attacks?",
            // A question first, a statement after it, or a request after the statement, with
            // or without a question mark: still asked.
            "Tell me about statins, and I use aspirin",
            "I drive a Tesla, is it safe in snow?",
            "I use aspirin, tell me about its interactions with ibuprofen",
            "I drive a Tesla, what's the range",
            "I often get headaches, list the common causes",
            "I don't want a long answer, just list the side effects of statins")) {
      assertThat(classifier.classify(turn, List.of()).intent())
          .as(turn)
          .isNotEqualTo(Intent.MEMORY_STATEMENT);
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
    assertThat(c.query()).isEqualTo("Is vitamin D safe for children?");
  }

  @Test
  void a_follow_up_after_a_statement_is_rewritten_without_the_statement() {
    var c =
        classifier.classify(
            "I work night shifts. Is it safe for me?", history("Does coffee harm the liver?"));
    assertThat(c.intent()).isEqualTo(Intent.FOLLOW_UP);
    assertThat(c.query()).isEqualTo("Is coffee safe for me?");
  }

  private static WorkingMemory.Turn followUp(String text, String rewritten) {
    return new WorkingMemory.Turn("user", text, "follow-up", rewritten, List.of());
  }

  private static WorkingMemory.Turn answer() {
    return new WorkingMemory.Turn("assistant", "answer", null, null, List.of("d1"));
  }

  private static List<WorkingMemory.Turn> then(
      List<WorkingMemory.Turn> history, WorkingMemory.Turn... more) {
    List<WorkingMemory.Turn> all = new java.util.ArrayList<>(history);
    for (WorkingMemory.Turn turn : more) {
      all.add(turn);
      all.add(answer());
    }
    return all;
  }

  @Test
  void the_topic_is_a_noun_phrase_never_a_verb() {
    Map<String, String> topics =
        Map.of(
            "Who catalogued the Quillfeather orchid?", "the Quillfeather orchid",
            "Who invented the Stirling engine?", "the Stirling engine",
            "When was the Stirling engine invented?", "the Stirling engine",
            "When did she catalogue the Quillfeather orchid?", "the Quillfeather orchid",
            "Does aspirin thin the blood?", "aspirin",
            "Which foods contain vitamin K?", "vitamin K",
            "What's the boiling point of ethanol?", "the boiling point",
            "Does Parkinson's disease affect memory?", "Parkinson's disease",
            "Are fried foods bad for the heart?", "fried foods");
    Map<String, String> commands =
        Map.of(
            "Describe the Harrowgate rotary engine.", "the Harrowgate rotary engine",
            "Tell me about the Quillfeather orchid.", "the Quillfeather orchid",
            "Explain the Quillfeather orchid.", "the Quillfeather orchid",
            "Is the TV show about sleep?", "the TV show");
    commands.forEach(
        (command, topic) ->
            assertThat(LocalIntentClassifier.topicOf(command)).as(command).contains(topic));
    topics.forEach(
        (question, topic) ->
            assertThat(LocalIntentClassifier.topicOf(question)).as(question).contains(topic));
    // What "what" asks about is the topic only when nothing else is named.
    assertThat(LocalIntentClassifier.topicOf("What temperature does it operate at?"))
        .contains("temperature");
  }

  @Test
  void a_pronoun_is_replaced_by_the_noun_phrase_of_the_previous_question() {
    var catalogued =
        classifier.classify(
            "When did she catalogue it?", history("Who catalogued the Quillfeather orchid?"));
    assertThat(catalogued.intent()).isEqualTo(Intent.FOLLOW_UP);
    assertThat(catalogued.query()).isEqualTo("When did she catalogue the Quillfeather orchid?");

    var invented =
        classifier.classify(
            "What temperature does it operate at?", history("Who invented the Stirling engine?"));
    assertThat(invented.intent()).isEqualTo(Intent.FOLLOW_UP);
    assertThat(invented.query()).isEqualTo("What temperature does the Stirling engine operate at?");

    assertThat(
            classifier
                .classify(
                    "It blooms in spring?", history("Who catalogued the Quillfeather orchid?"))
                .query())
        .isEqualTo("The Quillfeather orchid blooms in spring?");

    assertThat(
            classifier
                .classify(
                    "What temperature does it operate at?",
                    history("Tell me about the Harrowgate rotary engine."))
                .query())
        .isEqualTo("What temperature does the Harrowgate rotary engine operate at?");
  }

  @Test
  void a_chain_of_pronouns_keeps_the_topic_even_after_a_wrong_rewrite() {
    List<WorkingMemory.Turn> asked = history("Who catalogued the Quillfeather orchid?");
    for (String stored :
        List.of(
            "When did she catalogue the Quillfeather orchid?",
            // What an earlier version of these rules stored: it must not be built upon.
            "When did she catalogue catalogued?")) {
      var c =
          classifier.classify(
              "Where does it bloom?", then(asked, followUp("When did she catalogue it?", stored)));
      assertThat(c.intent()).as(stored).isEqualTo(Intent.FOLLOW_UP);
      assertThat(c.query()).as(stored).isEqualTo("Where does the Quillfeather orchid bloom?");
    }
  }

  @Test
  void a_follow_up_without_a_pronoun_moves_the_topic_to_what_it_names() {
    List<WorkingMemory.Turn> coffee = history("Is coffee good for the liver?");
    var c =
        classifier.classify(
            "Is it safe for children?",
            then(coffee, followUp("What about green tea?", "What about green tea? coffee")));
    assertThat(c.query()).isEqualTo("Is green tea safe for children?");
  }

  @Test
  void a_follow_up_rewritten_by_an_llm_carries_the_topic_it_names() {
    List<WorkingMemory.Turn> coffee = history("Is coffee good for the liver?");
    var c =
        classifier.classify(
            "Does it raise blood pressure?",
            then(
                coffee, followUp("And for pregnant women?", "Is coffee safe for pregnant women?")));
    assertThat(c.query()).isEqualTo("Does coffee raise blood pressure?");
  }
}
