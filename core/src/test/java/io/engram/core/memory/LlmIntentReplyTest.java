package io.engram.core.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engram.core.memory.IntentClassifier.Classified;
import io.engram.core.memory.IntentClassifier.Source;
import io.engram.core.memory.LlmIntentClassifier.MalformedReplyException;
import io.engram.core.memory.LlmIntentClassifier.Reply;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Validation of the intent LLM's replies and the guard rails on what it may change. */
class LlmIntentReplyTest {
  private static final int ROOM = 200;

  @Test
  void a_plain_json_object_is_read_for_every_intent() throws Exception {
    assertThat(
            LlmIntentClassifier.parse(
                "{\"intent\": \"follow_up\", \"query\": \"Is coffee safe for children?\"}", ROOM))
        .isEqualTo(new Reply(Intent.FOLLOW_UP, "Is coffee safe for children?"));
    assertThat(LlmIntentClassifier.parse("{\"intent\":\"question\",\"query\":\"q\"}", ROOM))
        .isEqualTo(new Reply(Intent.QUESTION, "q"));
    assertThat(LlmIntentClassifier.parse("{\"intent\":\"chit_chat\",\"query\":\"hi\"}", ROOM))
        .isEqualTo(new Reply(Intent.CHIT_CHAT, "hi"));
    assertThat(
            LlmIntentClassifier.parse(
                "{\"intent\":\"memory_statement\",\"query\":\"I am vegan\"}", ROOM))
        .isEqualTo(new Reply(Intent.MEMORY_STATEMENT, "I am vegan"));
  }

  @Test
  void our_own_wire_names_and_stray_whitespace_are_tolerated() throws Exception {
    assertThat(
            LlmIntentClassifier.parse(
                "{\"intent\":\" Follow-Up \",\"query\":\"  Is coffee\\n safe?  \"}", ROOM))
        .isEqualTo(new Reply(Intent.FOLLOW_UP, "Is coffee safe?"));
  }

  @Test
  void the_object_is_found_inside_prose_and_code_fences() throws Exception {
    Reply expected = new Reply(Intent.FOLLOW_UP, "Is coffee safe for children?");
    assertThat(
            LlmIntentClassifier.parse(
                "```json\n{\"intent\":\"follow_up\",\"query\":\"Is coffee safe for children?\"}\n```",
                ROOM))
        .isEqualTo(expected);
    assertThat(
            LlmIntentClassifier.parse(
                "Sure! Here is the JSON: {\"intent\":\"follow_up\",\"query\":\"Is coffee safe for"
                    + " children?\"} Hope this helps.",
                ROOM))
        .isEqualTo(expected);
    // A brace in the prose before the object is skipped.
    assertThat(
            LlmIntentClassifier.parse(
                "The format is {intent, query}:\n{\"intent\":\"follow_up\",\"query\":\"Is coffee"
                    + " safe for children?\"}",
                ROOM))
        .isEqualTo(expected);
  }

  @Test
  void every_malformed_reply_is_rejected() {
    List<String> malformed =
        List.of(
            "It is a follow-up about coffee.",
            "",
            "[\"follow_up\", \"Is coffee safe?\"]",
            "{\"intent\":\"follow_up\"}",
            "{\"query\":\"Is coffee safe?\"}",
            "{\"intent\":\"follow_up\",\"query\":\"   \"}",
            "{\"intent\":\"follow_up\",\"query\":42}",
            "{\"intent\":\"lookup\",\"query\":\"Is coffee safe?\"}",
            "{\"intent\":1,\"query\":\"Is coffee safe?\"}",
            "{\"intent\":\"question\",\"query\":\"q\",\"confidence\":0.9}",
            "{\"intent\":\"question\",\"query\":\"Is coffee");
    for (String reply : malformed) {
      assertThatThrownBy(() -> LlmIntentClassifier.parse(reply, ROOM))
          .as(reply)
          .isInstanceOf(MalformedReplyException.class);
    }
  }

  @Test
  void a_query_longer_than_the_turn_and_its_context_justify_is_rejected() throws Exception {
    String reply = "{\"intent\":\"follow_up\",\"query\":\"" + "x".repeat(61) + "\"}";
    assertThat(LlmIntentClassifier.parse(reply, 61).query()).hasSize(61);
    assertThatThrownBy(() -> LlmIntentClassifier.parse(reply, 60))
        .isInstanceOf(MalformedReplyException.class)
        .hasMessageContaining("61 characters");
  }

  @Test
  void the_messages_do_not_repeat_the_reply_at_length() {
    String longIntent = "z".repeat(500);
    assertThatThrownBy(
            () ->
                LlmIntentClassifier.parse(
                    "{\"intent\":\"" + longIntent + "\",\"query\":\"q\"}", ROOM))
        .isInstanceOf(MalformedReplyException.class)
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(100));
  }

  @Test
  void a_standalone_question_is_retrieved_as_written_whatever_the_llm_rewrote() {
    String turn = "Does aspirin prevent heart attacks?";
    assertThat(
            LlmIntentClassifier.guard(
                new Reply(Intent.QUESTION, "aspirin cardiology guidelines 2024"), turn, true))
        .isEqualTo(new Classified(Intent.QUESTION, turn, Source.LLM, null));
    assertThat(LlmIntentClassifier.guard(new Reply(Intent.CHIT_CHAT, "greeting"), "hey!", true))
        .isEqualTo(new Classified(Intent.CHIT_CHAT, "hey!", Source.LLM, null));
    assertThat(
            LlmIntentClassifier.guard(
                new Reply(Intent.MEMORY_STATEMENT, "User is vegan"), "I eat no meat", true))
        .isEqualTo(new Classified(Intent.MEMORY_STATEMENT, "I eat no meat", Source.LLM, null));
  }

  @Test
  void only_a_follow_up_with_earlier_turns_uses_the_rewrite() {
    Reply followUp = new Reply(Intent.FOLLOW_UP, "Is coffee safe for children?");
    assertThat(LlmIntentClassifier.guard(followUp, "Is it safe for children?", true))
        .isEqualTo(
            new Classified(Intent.FOLLOW_UP, "Is coffee safe for children?", Source.LLM, null));
    assertThat(LlmIntentClassifier.guard(followUp, "Is it safe for children?", false))
        .isEqualTo(new Classified(Intent.QUESTION, "Is it safe for children?", Source.LLM, null));
  }
}
