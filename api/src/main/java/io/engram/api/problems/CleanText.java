package io.engram.api.problems;

import java.util.Optional;

/**
 * Text PostgreSQL and Temporal can take: no NUL character and no UTF-16 surrogate without its other
 * half (which JSON's {@code \\uD800} escapes and percent-encoded paths can produce). Body strings
 * are checked as they are bound (see {@link StrictJson}); path and query parameters by {@link
 * #require}.
 */
public final class CleanText {
  private CleanText() {}

  /** What is wrong with {@code text}, or empty when nothing. */
  public static Optional<String> defect(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\0') {
        return Optional.of("must not contain a NUL character (U+0000), found at index " + i);
      }
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return Optional.of("must not contain an unpaired UTF-16 surrogate, found at index " + i);
      }
    }
    return Optional.empty();
  }

  /**
   * Returns {@code value} when it is clean text, else answers 400 naming {@code parameter}.
   *
   * @throws ApiProblem when it is not
   */
  public static String require(String parameter, String value) {
    if (value != null) {
      Optional<String> defect = defect(value);
      if (defect.isPresent()) {
        throw Problems.invalidField(parameter, defect.get());
      }
    }
    return value;
  }
}
