package io.engram.core.memory;

import java.text.Normalizer;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One fact an extractor found in a conversation, before it is stored.
 *
 * @param subject what the fact is about, normalized (lower case, single spaces); facts about the
 *     same subject and of an exclusive kind contradict each other when their texts differ
 * @param kind who / what / preference / decision
 * @param text the fact as a short third-person sentence ("User prefers green tea")
 * @param confidence how sure the extractor is, in [0, 1]; the stored salience starts from it
 * @param sourceTurnIds the turns it was found in (lineage)
 */
public record ExtractedFact(
    String subject, FactKind kind, String text, double confidence, List<Long> sourceTurnIds) {

  public static final int MAX_SUBJECT = 200;
  public static final int MAX_TEXT = 1000;

  public ExtractedFact {
    Objects.requireNonNull(kind, "kind");
    subject = normalize(Objects.requireNonNull(subject, "subject"));
    text = Objects.requireNonNull(text, "text").strip().replaceAll("\\s+", " ");
    if (subject.isEmpty() || subject.length() > MAX_SUBJECT) {
      throw new IllegalArgumentException("subject must have 1 to " + MAX_SUBJECT + " characters");
    }
    if (text.isEmpty() || text.length() > MAX_TEXT) {
      throw new IllegalArgumentException("text must have 1 to " + MAX_TEXT + " characters");
    }
    if (!(confidence >= 0 && confidence <= 1)) {
      throw new IllegalArgumentException("confidence must be in [0, 1], got " + confidence);
    }
    sourceTurnIds = List.copyOf(sourceTurnIds);
  }

  /** The text as dedup compares it. */
  public String normalizedText() {
    return normalize(text);
  }

  /**
   * Lower case, accents folded, punctuation dropped, whitespace collapsed: two statements of the
   * same fact that differ only in spelling details normalize to the same string.
   */
  public static String normalize(String text) {
    String folded =
        Normalizer.normalize(text, Normalizer.Form.NFKD)
            .replaceAll("\\p{M}+", "")
            .toLowerCase(Locale.ROOT);
    return folded.replaceAll("[^\\p{L}\\p{N}+#]+", " ").strip();
  }
}
