package io.engram.contract;

/**
 * What a refused {@code @Size} says, for the contract's requests. Bean Validation's default, "size
 * must be between 0 and 4096", names a lower bound nobody set (a blank query is refused anyway, by
 * {@code @NotBlank}) and no unit; these say what is allowed, in characters for text and in items
 * for a list or a map. {@code {min}} and {@code {max}} are the constraint's own bounds.
 */
public final class SizeMessages {
  /** For text with an upper bound only. */
  public static final String AT_MOST_CHARS = "must be at most {max} characters";

  /** For text with both bounds. */
  public static final String CHARS_BETWEEN = "must be {min} to {max} characters";

  /** For a list or a map with an upper bound only. */
  public static final String AT_MOST_ITEMS = "must hold at most {max} items";

  /** For a list or a map with both bounds. */
  public static final String ITEMS_BETWEEN = "must hold {min} to {max} items";

  private SizeMessages() {}
}
