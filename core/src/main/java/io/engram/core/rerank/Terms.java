package io.engram.core.rerank;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The reranker's text analysis: lowercase, split on anything that is not a letter or digit, drop
 * English stopwords and one-letter tokens, and stem with a small suffix stripper that works in
 * place on the tokenizer's buffer. Passages are analyzed once into term ids and cached ({@link
 * PassageTerms}); queries are analyzed per request ({@link QueryTerms}).
 *
 * <p>The one implementation used by the reranker at query time and by its trainer.
 */
public final class Terms {

  /** Tokens longer than this are neither stemmed nor matched (they are not words). */
  static final int MAX_TOKEN = 48;

  private static final String[] STOPWORD_LIST = {
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "also",
    "am",
    "among",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "down",
    "during",
    "each",
    "few",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "however",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "may",
    "me",
    "might",
    "more",
    "most",
    "must",
    "my",
    "myself",
    "no",
    "nor",
    "not",
    "of",
    "off",
    "on",
    "once",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "same",
    "she",
    "should",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "thus",
    "to",
    "too",
    "under",
    "until",
    "up",
    "upon",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "whether",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "within",
    "without",
    "would",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves"
  };

  /** Open-addressing table of the stopwords, probed with a token's {@code String.hashCode}. */
  private static final char[][] STOPWORDS = new char[512][];

  static {
    for (String word : STOPWORD_LIST) {
      int slot = word.hashCode() & (STOPWORDS.length - 1);
      while (STOPWORDS[slot] != null) {
        slot = (slot + 1) & (STOPWORDS.length - 1);
      }
      STOPWORDS[slot] = word.toCharArray();
    }
  }

  private Terms() {}

  /** The content terms of {@code text} in order: lowercased, stopwords dropped, stemmed. */
  public static List<String> analyze(String text) {
    List<String> out = new ArrayList<>();
    Tokens tokens = new Tokens(text);
    while (tokens.next()) {
      out.add(new String(tokens.buf, 0, stem(tokens.buf, tokens.len)));
    }
    return out;
  }

  /**
   * A cursor over the content tokens of a text, lowercased into a reused buffer with their {@code
   * String.hashCode}; the one tokenizer behind {@link #analyze} and {@link QueryTerms#scan}. Not
   * thread-safe: one per scan.
   */
  static final class Tokens {
    /** For ASCII: the lowercase form of a letter or digit, 0 for a separator. */
    private static final char[] ASCII = new char[128];

    static {
      for (char c = '0'; c <= '9'; c++) {
        ASCII[c] = c;
      }
      for (char c = 'a'; c <= 'z'; c++) {
        ASCII[c] = c;
        ASCII[Character.toUpperCase(c)] = c;
      }
    }

    private final String text;
    private final int end;
    private int pos;
    final char[] buf = new char[MAX_TOKEN];
    int len;
    int hash;

    Tokens(String text) {
      this.text = text == null ? "" : text;
      this.end = this.text.length();
    }

    /** Advances to the next content token; false at the end of the text. */
    boolean next() {
      // Locals, written back once per token: the loop runs for every character of a passage.
      final String s = text;
      final char[] b = buf;
      int p = pos;
      while (p < end) {
        int l = 0;
        int h = 0;
        boolean overflow = false;
        while (p < end) {
          char c = lower(s.charAt(p));
          if (c == 0) {
            break;
          }
          if (l < MAX_TOKEN) {
            b[l++] = c;
            h = 31 * h + c;
          } else {
            overflow = true;
          }
          p++;
        }
        p++;
        if (l > 0 && !overflow && isContent(b, l, h)) {
          pos = p;
          len = l;
          hash = h;
          return true;
        }
      }
      pos = p;
      len = 0;
      return false;
    }

    private static char lower(char c) {
      if (c < 128) {
        return ASCII[c];
      }
      return Character.isLetterOrDigit(c) ? Character.toLowerCase(c) : 0;
    }
  }

  /** The stem of one lowercase word (see {@link #stem(char[], int)}). */
  public static String stem(String word) {
    char[] buf = word.toLowerCase(Locale.ROOT).toCharArray();
    return new String(buf, 0, stem(buf, buf.length));
  }

  /**
   * Whether the lowercase token {@code buf[0, len)} (whose {@code String.hashCode} is {@code hash})
   * counts: not a stopword, not a lone letter.
   */
  static boolean isContent(char[] buf, int len, int hash) {
    if (len == 1 && !Character.isDigit(buf[0])) {
      return false;
    }
    return !isStopword(buf, len, hash);
  }

  private static boolean isStopword(char[] buf, int len, int hash) {
    if (len > 10) {
      return false;
    }
    int slot = hash & (STOPWORDS.length - 1);
    while (STOPWORDS[slot] != null) {
      if (equal(STOPWORDS[slot], buf, len)) {
        return true;
      }
      slot = (slot + 1) & (STOPWORDS.length - 1);
    }
    return false;
  }

  static boolean equal(char[] word, char[] buf, int len) {
    if (word.length != len) {
      return false;
    }
    for (int k = 0; k < len; k++) {
      if (word[k] != buf[k]) {
        return false;
      }
    }
    return true;
  }

  /**
   * Stems the lowercase word in {@code buf[0, len)} in place and returns the stem's length; the
   * stem is always a prefix of the word. Words with anything but ASCII letters are left alone.
   * Plurals go first ("studies", "cells"), then "-ing"/"-ed", then one derivational suffix ("-ly",
   * "-ity", "-ion" after t or s, "-ment", "-ness"), then a final "e" or consonant + "y", so that
   * "increase", "increases", "increased" and "increasing" share the stem "increas", and "regulate",
   * "regulated" and "regulation" share "regulat".
   */
  static int stem(char[] buf, int len) {
    if (len <= 3) {
      return len;
    }
    for (int k = 0; k < len; k++) {
      if (buf[k] < 'a' || buf[k] > 'z') {
        return len;
      }
    }
    // Plurals.
    if (endsWith(buf, len, "sses")) {
      len -= 2;
    } else if (endsWith(buf, len, "ies") && len > 4) {
      len -= 3;
    } else if (buf[len - 1] == 's'
        && !endsWith(buf, len, "ss")
        && !endsWith(buf, len, "us")
        && !endsWith(buf, len, "is")) {
      len -= 1;
    }
    // Inflections; the remaining stem must still hold a vowel ("bring" and "red" stay).
    int before = len;
    if (endsWith(buf, len, "ing") && len - 3 >= 3 && hasVowel(buf, len - 3)) {
      len -= 3;
    } else if (endsWith(buf, len, "ed") && len - 2 >= 3 && hasVowel(buf, len - 2)) {
      len -= 2;
    }
    if (len < before && len >= 2 && buf[len - 1] == buf[len - 2] && isDoubleDropped(buf[len - 1])) {
      len -= 1;
    }
    // One derivational suffix.
    if (endsWith(buf, len, "ly") && len - 2 >= 4) {
      len -= 2;
    } else if (endsWith(buf, len, "ity") && len - 3 >= 4) {
      len -= 3;
    } else if (endsWith(buf, len, "ion")
        && len - 3 >= 4
        && (buf[len - 4] == 't' || buf[len - 4] == 's')) {
      len -= 3;
    } else if ((endsWith(buf, len, "ment") || endsWith(buf, len, "ness")) && len - 4 >= 4) {
      len -= 4;
    }
    // A final e, or y after a consonant.
    if (len - 1 >= 3 && buf[len - 1] == 'e') {
      len -= 1;
    } else if (len - 1 >= 3 && buf[len - 1] == 'y' && !isVowel(buf[len - 2])) {
      len -= 1;
    }
    return len;
  }

  private static boolean isDoubleDropped(char c) {
    return !isVowel(c) && c != 'l' && c != 's' && c != 'z';
  }

  private static boolean endsWith(char[] buf, int len, String suffix) {
    int m = suffix.length();
    if (len < m) {
      return false;
    }
    for (int k = 0; k < m; k++) {
      if (buf[len - m + k] != suffix.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  private static boolean hasVowel(char[] buf, int len) {
    for (int k = 0; k < len; k++) {
      if (isVowel(buf[k]) || (k > 0 && buf[k] == 'y')) {
        return true;
      }
    }
    return false;
  }

  private static boolean isVowel(char c) {
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
  }
}
