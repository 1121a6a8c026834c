package io.engram.core.drift;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import opennlp.tools.stemmer.snowball.SnowballStemmer;

/**
 * A query's words and lexemes as PostgreSQL's {@code 'english'} text search configuration reads
 * them, computed in Java so that the query path's features need no round trip: words are runs of
 * letters and digits, lowercased; a word with a digit is kept as it is (the configuration's {@code
 * simple} dictionary), any other is dropped when it is one of PostgreSQL's English stopwords
 * ({@code english.stop}, copied from PostgreSQL's {@code tsearch_data}) and otherwise stemmed with
 * the Snowball English stemmer, as {@code english_stem} does. PostgreSQL's parser knows more token
 * types (hyphenated words, URLs, e-mail addresses); for those this reads the parts, which the index
 * holds too. {@code EnglishLexemesIT} checks the agreement against PostgreSQL.
 */
public final class EnglishLexemes {

  private static final Set<String> STOPWORDS = stopwords();

  private EnglishLexemes() {}

  /** A query's words and the lexemes made from them. */
  public record Analysis(int words, List<String> lexemes) {}

  public static Analysis analyze(String text) {
    SnowballStemmer stemmer = new SnowballStemmer(SnowballStemmer.ALGORITHM.ENGLISH);
    List<String> lexemes = new ArrayList<>();
    int words = 0;
    int i = 0;
    int n = text.length();
    while (i < n) {
      while (i < n && !Character.isLetterOrDigit(text.codePointAt(i))) {
        i += Character.charCount(text.codePointAt(i));
      }
      int start = i;
      boolean digit = false;
      while (i < n && Character.isLetterOrDigit(text.codePointAt(i))) {
        digit |= Character.isDigit(text.codePointAt(i));
        i += Character.charCount(text.codePointAt(i));
      }
      if (i == start) {
        break;
      }
      words++;
      String word = text.substring(start, i).toLowerCase(Locale.ROOT);
      if (digit) {
        lexemes.add(word);
      } else if (!STOPWORDS.contains(word)) {
        lexemes.add(stemmer.stem(word).toString());
      }
    }
    return new Analysis(words, lexemes);
  }

  private static Set<String> stopwords() {
    Set<String> words = new HashSet<>();
    try (InputStream in = EnglishLexemes.class.getResourceAsStream("english.stop")) {
      if (in == null) {
        throw new IllegalStateException("english.stop is missing from the classpath");
      }
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line; (line = reader.readLine()) != null; ) {
        if (!line.isBlank()) {
          words.add(line.strip());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Set.copyOf(words);
  }
}
