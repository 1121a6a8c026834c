package io.engram.contract;

/** What a free-form label a client names something by (a user id, a key's name) may hold. */
public final class Labels {
  private Labels() {}

  /**
   * A label: not blank, no space at either end (so " ada " is not a second "ada"), no control
   * characters, and none of the invisible characters that make two labels look alike or rewrite the
   * terminal that prints them (direction marks, overrides and isolates, zero-width spaces, line and
   * paragraph separators). Joiners that words and emoji need inside them (U+200C, U+200D, as in
   * Persian words or 👩‍💻) are kept, though not at either end.
   */
  public static final String PATTERN =
      "[^\\p{Cc}\\p{Cf}\\p{Z}]"
          + "(?:[^\\p{Cc}\\p{Zl}\\p{Zp}\\u061C\\u200B\\u200E\\u200F\\u202A-\\u202E\\u2060\\u2066-\\u2069\\uFEFF]*"
          + "[^\\p{Cc}\\p{Cf}\\p{Z}])?";
}
