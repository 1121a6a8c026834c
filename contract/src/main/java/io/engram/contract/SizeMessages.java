package io.engram.contract;

/**
 * What a refused {@code @Size} says, for the contract's requests. Bean Validation's default, "size
 * must be between 0 and 4096", names a lower bound nobody set (a blank query is refused anyway, by
 * {@code @NotBlank}) and no unit; these say what is allowed, in characters for text and in items
 * for a list or a map. {@code {min}} and {@code {max}} are the constraint's own bounds.
 *
 * <p>{@code @Size} counts a string's Java length, in UTF-16 code units: a character outside the
 * Basic Multilingual Plane (most emoji) is two of them, so 100 emoji are 200 and exceed a limit of
 * 128. The text messages say so rather than refuse such a value as "at most 128 characters".
 */
public final class SizeMessages {
  /** How the text messages count: said with each, as the count differs from what users see. */
  private static final String COUNTING =
      " (a character outside the Basic Multilingual Plane, such as most emoji, counts as two)";

  /** For text with an upper bound only. */
  public static final String AT_MOST_CHARS = "must be at most {max} characters" + COUNTING;

  /** For text with both bounds. */
  public static final String CHARS_BETWEEN = "must be {min} to {max} characters" + COUNTING;

  /** For a list or a map with an upper bound only. */
  public static final String AT_MOST_ITEMS = "must hold at most {max} items";

  /** For a list or a map with both bounds. */
  public static final String ITEMS_BETWEEN = "must hold {min} to {max} items";

  private SizeMessages() {}
}
