package io.engram.core.drift;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EnglishLexemesTest {

  @Test
  void words_are_counted_with_stopwords_and_lexemes_are_stemmed_without() {
    EnglishLexemes.Analysis a = EnglishLexemes.analyze("Does aspirin prevent the heart attacks?");

    assertThat(a.words()).isEqualTo(6);
    assertThat(a.lexemes()).containsExactly("aspirin", "prevent", "heart", "attack");
  }

  @Test
  void stems_as_snowball_english_does() {
    assertThat(EnglishLexemes.analyze("studies running happiness generalization").lexemes())
        .containsExactly("studi", "run", "happi", "general");
  }

  @Test
  void words_with_digits_are_kept_as_they_are() {
    EnglishLexemes.Analysis a = EnglishLexemes.analyze("COVID-19 and H1N1 in 2020");

    assertThat(a.words()).isEqualTo(6);
    assertThat(a.lexemes()).containsExactly("covid", "19", "h1n1", "2020");
  }

  @Test
  void punctuation_only_has_no_words() {
    EnglishLexemes.Analysis a = EnglishLexemes.analyze(" ?! -- ");

    assertThat(a.words()).isZero();
    assertThat(a.lexemes()).isEmpty();
  }
}
