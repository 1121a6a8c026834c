package io.engram.core.memory;

import java.time.Duration;

/**
 * How turns are classified and follow-ups rewritten.
 *
 * @param classifier {@code auto} (the LLM when one is configured, else the local rules), {@code
 *     local} or {@code llm} (which then requires an LLM)
 * @param timeout patience with the LLM per turn; it runs before retrieval, so it is far shorter
 *     than an answer's timeout, and a turn it runs out on is classified locally
 * @param maxTokens most tokens of the LLM's reply: a JSON object with one rewritten query
 */
public record IntentSettings(Classifier classifier, Duration timeout, int maxTokens) {

  /** Which classifier decides a turn's intent. */
  public enum Classifier {
    AUTO,
    LOCAL,
    LLM
  }

  public IntentSettings {
    if (classifier == null) {
      throw new IllegalArgumentException("an intent classifier is required");
    }
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("the intent timeout must be positive");
    }
    if (maxTokens < 1) {
      throw new IllegalArgumentException("intent max tokens must be positive");
    }
  }
}
