package io.engram.core.memory;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Decides what a user turn is ({@link Intent}) and which query retrieval runs with: the turn
 * itself, or for a follow-up a standalone rewrite built from the working memory.
 */
public interface IntentClassifier {

  /** Which classifier decided a turn, reported with every answer. */
  enum Source {
    /** The LLM classified the turn (and rewrote it, if it is a follow-up). */
    LLM,
    /** The local rules decided: none is configured, they were sure enough, or the LLM failed. */
    LOCAL;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * The classification of one turn.
   *
   * @param intent what the turn is
   * @param query the query to retrieve with: the turn itself, or a follow-up's standalone rewrite
   * @param source which classifier decided
   * @param fallback why the LLM did not decide although it was asked (timeout, outage, malformed
   *     reply); null when nothing went wrong. Never contains the prompt or an API key.
   */
  record Classified(Intent intent, String query, Source source, String fallback) {
    public Classified {
      Objects.requireNonNull(intent, "intent");
      Objects.requireNonNull(source, "source");
      if (query == null || query.isBlank()) {
        throw new IllegalArgumentException("a classified turn needs a query to retrieve with");
      }
    }

    /** Decided by the local rules, without anything going wrong. */
    public static Classified local(Intent intent, String query) {
      return new Classified(intent, query, Source.LOCAL, null);
    }

    /** The same decision, reported as a fallback from a failed LLM call for {@code reason}. */
    public Classified asFallback(String reason) {
      return new Classified(intent, query, Source.LOCAL, reason);
    }
  }

  /**
   * Classifies {@code turn} in the context of {@code history} (the session's recent turns, oldest
   * first; empty outside a session). Never fails: a classifier that depends on a remote model falls
   * back to local rules and says so in {@link Classified#fallback()}.
   */
  Classified classify(String turn, List<WorkingMemory.Turn> history);

  /** Which classifier this is, e.g. {@code local} or {@code llm:openai:gemma-3-270m}. */
  String name();
}
