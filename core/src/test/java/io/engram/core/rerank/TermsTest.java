package io.engram.core.rerank;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TermsTest {

  @Test
  void lowercases_splits_and_drops_stopwords_and_lone_letters() {
    assertThat(Terms.analyze("The Effect of a p53 knock-out on T cells, in 5 mice."))
        .containsExactly("effect", "p53", "knock", "cell", "5", "mic");
  }

  @Test
  void inflections_share_a_stem() {
    assertThat(
            java.util.stream.Stream.of("increase", "increases", "increased", "increasing")
                .map(Terms::stem))
        .containsOnly("increas");
    assertThat(
            java.util.stream.Stream.of("regulate", "regulated", "regulates", "regulation")
                .map(Terms::stem))
        .containsOnly("regulat");
    assertThat(java.util.stream.Stream.of("study", "studies").map(Terms::stem))
        .containsOnly("stud");
    assertThat(Terms.stem("stopped")).isEqualTo("stop");
    assertThat(Terms.stem("Cells")).isEqualTo("cell");
  }

  @Test
  void a_stem_is_always_a_prefix_of_its_word() {
    for (String word :
        new String[] {
          "activity", "expression", "diabetes", "significantly", "virus", "analysis", "treatment"
        }) {
      assertThat(word).startsWith(Terms.stem(word));
    }
  }

  @Test
  void short_words_and_words_with_digits_are_not_stemmed() {
    assertThat(Terms.stem("uses")).isEqualTo("use");
    assertThat(Terms.stem("il6s")).isEqualTo("il6s");
    assertThat(Terms.stem("was")).isEqualTo("was");
  }

  @Test
  void non_ascii_letters_are_kept_lowercased_and_unstemmed() {
    assertThat(Terms.analyze("GRÖSSEN der β-Catenins"))
        .containsExactly("grössen", "der", "catenin");
  }
}
