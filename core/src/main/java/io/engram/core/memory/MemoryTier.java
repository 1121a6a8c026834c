package io.engram.core.memory;

import java.util.Locale;

/** Where a remembered fact lives. */
public enum MemoryTier {
  /** Distilled from conversations; decays and expires. */
  EPISODIC,
  /** Promoted from episodic memory; durable. */
  SEMANTIC;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The source name a fact has in query responses and logs, e.g. {@code memory:episodic/42}. */
  public String source(long factId) {
    return "memory:" + wireName() + "/" + factId;
  }
}
