package io.engram.core.memory;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AboutTheUserTest {

  @Test
  void a_question_about_oneself_is_put_in_the_third_person() {
    assertThat(AboutTheUser.of("What am I allergic to?"))
        .isEqualTo("What is the user allergic to?");
    assertThat(AboutTheUser.of("Do I have any allergies?"))
        .isEqualTo("does the user have any allergies?");
    assertThat(AboutTheUser.of("What's my name?")).isEqualTo("What's the user's name?");
    assertThat(AboutTheUser.of("I'm vegan, what should I eat?"))
        .isEqualTo("the user is vegan, what should the user eat?");
    assertThat(AboutTheUser.of("Where do I live and where I work?"))
        .isEqualTo("Where does the user live and where the user work?");
    assertThat(AboutTheUser.of("Have I told you my favourite colour?"))
        .isEqualTo("has the user told you the user's favourite colour?");
    assertThat(AboutTheUser.of("I’ve said it before")).isEqualTo("the user has said it before");
  }

  @Test
  void a_question_about_anything_else_is_left_as_it_is() {
    for (String q :
        new String[] {
          "What causes myelin loss?",
          "Tell me about peanut farming.",
          "Is type I diabetes hereditary?",
          "Does a phase I trial test safety?",
          "What happened in World War I?",
          "Is class I MHC expressed on neurons?",
          "Is the coal mine mine?",
          "Which myeloid cells express it (i.e. which lineage)?",
          "Is Myanmar in Asia?",
          "Why is disk I/O slow and I/O-bound work hard to scale?"
        }) {
      assertThat(AboutTheUser.of(q)).as(q).isEqualTo(q);
    }
  }

  @Test
  void a_question_asking_several_things_is_read_clause_by_clause() {
    assertThat(AboutTheUser.clauses("What is the user's job and the user's name?"))
        .containsExactly("What is the user's job", "the user's name?");
    assertThat(
            AboutTheUser.clauses(
                "What is the user allergic to, and what food does the user" + " dislike?"))
        .containsExactly("What is the user allergic to", "what food does the user dislike?");
    assertThat(AboutTheUser.clauses("Tell me the user's name; the user's job"))
        .containsExactly("Tell me the user's name", "the user's job");
    // At most four, whatever the list's length.
    assertThat(AboutTheUser.clauses("a b c, d e f, g h i, j k l, m n o, p q r"))
        .hasSize(AboutTheUser.MAX_CLAUSES);
  }

  @Test
  void a_question_of_one_clause_or_with_fragments_is_not_divided() {
    assertThat(AboutTheUser.clauses("What is the user's name?")).isEmpty();
    // "Which drinks" is a fragment, not a question of its own: nothing left to read apart.
    assertThat(AboutTheUser.clauses("Which drinks and foods raise blood pressure?")).isEmpty();
    assertThat(AboutTheUser.clauses("Is the user allergic to peanuts and shellfish?")).isEmpty();
    assertThat(AboutTheUser.clauses("")).isEmpty();
  }
}
