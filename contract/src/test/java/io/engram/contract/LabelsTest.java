package io.engram.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** What a user id or a key's name may be: {@link Labels#PATTERN} as Bean Validation applies it. */
class LabelsTest {
  private static final Pattern LABEL = Pattern.compile(Labels.PATTERN);

  @Test
  void names_in_any_script_with_inner_spaces_and_joiners_are_labels() {
    for (String label :
        List.of(
            "a",
            "ada",
            "Åsa Öberg",
            "張三",
            "search-frontend v2",
            "می\u200Cخواهم",
            "\uD83D\uDC69\u200D\uD83D\uDCBB bot")) {
      assertThat(LABEL.matcher(label).matches()).as(label).isTrue();
    }
  }

  @Test
  void blank_padded_and_invisible_or_steering_characters_are_not() {
    for (String label :
        List.of(
            "",
            " ",
            "\u00a0",
            "\u3000",
            "\u200b",
            " ada",
            "ada ",
            "\u200Dada",
            "a\u202eb",
            "a\u2066b",
            "a\u200bb",
            "a\u001b[31mb",
            "a\nb",
            "a\tb",
            "a\u2028b")) {
      assertThat(LABEL.matcher(label).matches())
          .as(label.codePoints().boxed().toList().toString())
          .isFalse();
    }
  }
}
