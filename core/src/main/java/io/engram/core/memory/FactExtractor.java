package io.engram.core.memory;

import java.util.List;

/** Finds discrete facts about the user in a batch of conversation turns. */
public interface FactExtractor {

  /** A turn as the extractor sees it; only user turns carry facts about the user. */
  record Turn(long id, String role, String text) {}

  /**
   * The facts stated in {@code turns}.
   *
   * @param knownSubjects subjects the user's stored facts already use, so an extractor that names
   *     subjects freely can reuse them and a contradiction is recognised as one
   * @throws MalformedExtractionException when the extractor produced output that is not a valid
   *     list of facts; nothing of it may be stored
   * @throws io.engram.core.llm.LlmUnavailableException when an LLM-backed extractor could not be
   *     reached
   */
  List<ExtractedFact> extract(List<Turn> turns, List<String> knownSubjects)
      throws MalformedExtractionException, io.engram.core.llm.LlmUnavailableException;

  /** Recorded with every stored fact, e.g. {@code local} or {@code llm:openai:gemma-3-270m}. */
  String name();
}
