package io.engram.core.embedding;

/**
 * Whether a text holds anything an embedding model reads. The shipped models' BERT tokenizer drops
 * white space of every kind (the no-break space too), control, format, private-use and unassigned
 * characters (zero-width space, byte-order mark, direction marks), U+FFFD and, stripping accents,
 * combining marks; a text of nothing else tokenizes to nothing, and the model refuses it ("Cannot
 * embed empty or whitespace-only text"). Such a text is no question to answer and no passage to
 * index, and is turned away before it reaches the model.
 */
public final class EmbeddableText {
  private EmbeddableText() {}

  /** Whether {@code text} holds at least one character the tokenizer keeps and a reader sees. */
  public static boolean isReadable(String text) {
    return text != null && text.codePoints().anyMatch(EmbeddableText::kept);
  }

  private static boolean kept(int c) {
    if (Character.isWhitespace(c) || Character.isSpaceChar(c) || c == 0xFFFD) {
      return false;
    }
    // Letters and a symbol that show as nothing: the tokenizer keeps them (as unknown tokens), but
    // a text of nothing else is as blank to its reader as white space.
    if (c == 0x115F || c == 0x1160 || c == 0x3164 || c == 0xFFA0 || c == 0x2800) {
      return false;
    }
    return switch (Character.getType(c)) {
      case Character.CONTROL,
              Character.FORMAT,
              Character.NON_SPACING_MARK,
              Character.ENCLOSING_MARK,
              Character.SURROGATE,
              Character.PRIVATE_USE,
              Character.UNASSIGNED ->
          false;
      default -> true;
    };
  }
}
