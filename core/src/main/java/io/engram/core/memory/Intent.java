package io.engram.core.memory;

import java.util.Locale;

/** What a user turn is, which decides how it is answered. */
public enum Intent {
  /** A self-contained question: retrieve with it as it is. */
  QUESTION,
  /**
   * A question that leans on earlier turns ("is it safe for children?"): rewrite, then retrieve.
   */
  FOLLOW_UP,
  /** Small talk: no retrieval. */
  CHIT_CHAT,
  /**
   * The user tells something about themselves ("I prefer …"): kept for distillation into memory.
   */
  MEMORY_STATEMENT;

  /** The name used in API responses and stored turns. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
