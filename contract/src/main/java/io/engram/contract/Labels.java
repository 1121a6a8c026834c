package io.engram.contract;

/** What a free-form label a client names something by (a user id, a key's name) may hold. */
public final class Labels {
  private Labels() {}

  /**
   * Characters that are letters or symbols to Unicode but show as nothing (the Hangul fillers, the
   * blank Braille pattern) and the replacement character a broken encoding decodes to: a label
   * neither starts nor ends with one, so none is made of them alone.
   */
  private static final String BLANK_LETTERS = "\\u115F\\u1160\\u3164\\uFFA0\\u2800\\uFFFD";

  /**
   * A label: not blank, no space at either end (so " ada " is not a second "ada"), no control
   * characters, and none of the invisible characters that make two labels look alike or rewrite the
   * terminal that prints them (direction marks, overrides and isolates, zero-width spaces, line and
   * paragraph separators, the replacement character), and no blank letter at either end. Joiners
   * that words and emoji need inside them (U+200C, U+200D, as in Persian words or 👩‍💻) are kept,
   * though not at either end.
   */
  public static final String PATTERN =
      "[^\\p{Cc}\\p{Cf}\\p{Z}"
          + BLANK_LETTERS
          + "]"
          + "(?:[^\\p{Cc}\\p{Zl}\\p{Zp}\\u061C\\u200B\\u200E\\u200F\\u202A-\\u202E\\u2060\\u2066-\\u2069\\uFEFF\\uFFFD]*"
          + "[^\\p{Cc}\\p{Cf}\\p{Z}"
          + BLANK_LETTERS
          + "])?";
}
