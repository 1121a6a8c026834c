package io.engram.core.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.core.memory.IntentClassifier.Classified;
import io.engram.core.memory.IntentClassifier.Source;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What every {@link IntentClassifier} decides the same way, run against each implementation by a
 * small subclass: small talk and statements about the user are recognised with or without a
 * session, and a statement that comes with a question is a question; a standalone question is
 * retrieved as written; a turn that leans on the conversation is a follow-up rewritten to name what
 * it refers to, along a chain of follow-ups too; without earlier user turns nothing is a follow-up;
 * the turn is never lost (a non-blank query, stripped of outer whitespace, whatever the input); a
 * classifier that was not let down reports no fallback, and says which classifier decided.
 *
 * <p>An LLM-backed subclass answers from a scripted endpoint as a good model would ({@link
 * #LLM_REPLIES}), so what is tested is that the classifier keeps the model's good answer through
 * its prompt, parsing and guard rails.
 */
abstract class IntentClassifierContract {

  /** A session about aspirin, then coffee, each question answered. */
  static final List<WorkingMemory.Turn> COFFEE =
      List.of(
          user("Does aspirin prevent heart attacks?", "question", null),
          assistant("Daily low-dose aspirin reduces the risk of a first heart attack. [1]"),
          user("Is coffee good for the liver?", "question", null),
          assistant("Regular coffee consumption is associated with less liver fibrosis. [1]"));

  static final String FOLLOW_UP = "Is it safe for children?";
  static final String FOLLOW_UP_REWRITTEN = "Is coffee safe for children?";
  static final String CHAINED = "And for pregnant women?";
  static final String CHAINED_REWRITTEN = "Is coffee safe for pregnant women?";
  static final String QUESTION = "Does green tea lower blood pressure?";

  /**
   * What a good model answers for each newest message of these tests that an LLM is asked about;
   * any other message it repeats as a standalone question.
   */
  static final Map<String, String> LLM_REPLIES =
      Map.of(
          FOLLOW_UP,
          "{\"intent\":\"follow_up\",\"query\":\"" + FOLLOW_UP_REWRITTEN + "\"}",
          CHAINED,
          "{\"intent\":\"follow_up\",\"query\":\"" + CHAINED_REWRITTEN + "\"}",
          QUESTION,
          "{\"intent\":\"question\",\"query\":\"" + QUESTION + "\"}");

  /** The implementation under test. */
  protected abstract IntentClassifier classifier();

  /** Which classifier decides a question asked in a session: the LLM, when there is one. */
  protected abstract Source decidesInContext();

  static WorkingMemory.Turn user(String text, String intent, String rewritten) {
    return new WorkingMemory.Turn(
        "user", text, intent, rewritten == null ? text : rewritten, List.of());
  }

  static WorkingMemory.Turn assistant(String text) {
    return new WorkingMemory.Turn("assistant", text, null, null, List.of("d1"));
  }

  private Classified classify(String turn, List<WorkingMemory.Turn> history) {
    Classified c = classifier().classify(turn, history);
    assertThat(c.fallback()).as("nothing went wrong, so nothing fell back").isNull();
    return c;
  }

  @Test
  void small_talk_is_chit_chat_in_and_out_of_a_session() {
    for (List<WorkingMemory.Turn> history : List.of(COFFEE, List.<WorkingMemory.Turn>of())) {
      assertThat(classify("Thanks a lot!", history))
          .isEqualTo(Classified.local(Intent.CHIT_CHAT, "Thanks a lot!"));
      assertThat(classify("hello", history).intent()).isEqualTo(Intent.CHIT_CHAT);
    }
  }

  @Test
  void a_statement_about_the_user_is_a_memory_statement() {
    for (List<WorkingMemory.Turn> history : List.of(COFFEE, List.<WorkingMemory.Turn>of())) {
      assertThat(classify("I prefer short answers with sources", history))
          .isEqualTo(
              Classified.local(Intent.MEMORY_STATEMENT, "I prefer short answers with sources"));
      assertThat(classify("My name is Ada", history).intent()).isEqualTo(Intent.MEMORY_STATEMENT);
    }
  }

  @Test
  void a_statement_about_the_user_that_comes_with_a_question_is_a_question() {
    String turn = "I work as a nurse. Is green tea safe for night shifts?";
    for (List<WorkingMemory.Turn> history : List.of(COFFEE, List.<WorkingMemory.Turn>of())) {
      Classified c = classify(turn, history);
      assertThat(c.intent()).isEqualTo(Intent.QUESTION);
      assertThat(c.query()).contains("green tea").contains("night shifts");
    }
  }

  @Test
  void a_standalone_question_in_a_session_is_retrieved_as_written() {
    Classified c = classify(QUESTION, COFFEE);

    assertThat(c.intent()).isEqualTo(Intent.QUESTION);
    assertThat(c.query()).isEqualTo(QUESTION);
    assertThat(c.source()).isEqualTo(decidesInContext());
  }

  @Test
  void a_turn_leaning_on_the_conversation_is_a_follow_up_naming_its_topic() {
    Classified c = classify(FOLLOW_UP, COFFEE);

    assertThat(c.intent()).isEqualTo(Intent.FOLLOW_UP);
    assertThat(c.query()).containsIgnoringCase("coffee").containsIgnoringCase("children");
    assertThat(c.source()).isEqualTo(decidesInContext());
  }

  @Test
  void a_chain_of_follow_ups_keeps_its_topic() {
    List<WorkingMemory.Turn> history =
        List.of(
            user("Is coffee good for the liver?", "question", null),
            assistant("It is associated with less fibrosis. [1]"),
            user(FOLLOW_UP, "follow-up", FOLLOW_UP_REWRITTEN),
            assistant("Pediatricians advise limiting caffeine. [1]"));

    Classified c = classify(CHAINED, history);

    assertThat(c.intent()).isEqualTo(Intent.FOLLOW_UP);
    assertThat(c.query()).containsIgnoringCase("coffee").containsIgnoringCase("pregnant");
  }

  @Test
  void without_earlier_user_turns_nothing_is_a_follow_up() {
    List<WorkingMemory.Turn> onlyAnswers = List.of(assistant("Welcome back."));
    for (List<WorkingMemory.Turn> history : List.of(List.<WorkingMemory.Turn>of(), onlyAnswers)) {
      for (String turn : List.of(FOLLOW_UP, "What about children?", "And why?")) {
        assertThat(classify(turn, history))
            .as("'%s' after %d turns", turn, history.size())
            .isEqualTo(Classified.local(Intent.QUESTION, turn));
      }
    }
  }

  @Test
  void the_query_is_the_turn_without_its_outer_whitespace() {
    assertThat(classify("  " + QUESTION + "\n", COFFEE).query()).isEqualTo(QUESTION);
    assertThat(classify("\tThanks a lot!  ", List.of()).query()).isEqualTo("Thanks a lot!");
  }

  @Test
  void any_turn_gets_a_query_to_retrieve_with() {
    List<String> odd =
        List.of(
            "???",
            "x",
            "Ünïcödé ☕ and emoji 🍵?",
            "word ".repeat(1_000).strip(),
            "it",
            "SELECT * FROM turns; --");
    for (String turn : odd) {
      for (List<WorkingMemory.Turn> history : List.of(COFFEE, List.<WorkingMemory.Turn>of())) {
        Classified c = classify(turn, history);
        assertThat(c.query()).as(turn).isNotBlank();
        assertThat(c.intent()).as(turn).isNotNull();
      }
    }
  }

  @Test
  void names_itself() {
    assertThat(classifier().name()).isNotBlank().isEqualTo(classifier().name());
  }
}
