package io.engram.contract;

/** What a free-form label a client names something by (a user id, a key's name) may hold. */
public final class Labels {
  private Labels() {}

  /**
   * A label: not blank, no space at either end (so " ada " is not a second "ada"), and no control
   * or format characters (line breaks, escapes, direction overrides, zero-width spaces), which
   * would make two labels look alike or rewrite the terminal that prints them.
   */
  public static final String PATTERN =
      "[^\\p{Cc}\\p{Cf}\\p{Z}][^\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}]*(?<!\\p{Z})";
}
