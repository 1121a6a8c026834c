package io.engram.core.query;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WarmUpTest {

  @Test
  void a_question_is_the_first_words_of_a_passage() {
    assertThat(WarmUp.question("  Statins reduce   the risk\nof heart attacks. "))
        .isEqualTo("Statins reduce the risk of heart attacks.");
    assertThat(
            WarmUp.question(
                "one two three four five six seven eight nine ten eleven twelve thirteen"))
        .isEqualTo("one two three four five six seven eight nine ten eleven twelve");
    assertThat(WarmUp.question("   ")).isBlank();
  }
}
