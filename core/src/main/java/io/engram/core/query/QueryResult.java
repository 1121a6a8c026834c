package io.engram.core.query;

import io.engram.contract.Queries.Source;
import java.util.List;
import java.util.Map;

/**
 * What the query path answered to one {@link Question}.
 *
 * @param queryId the id under which the query log keeps it (and feedback refers to it)
 * @param answer the answer's text
 * @param answerMode {@code llm} or {@code extractive}
 * @param citations 1-based numbers of the sources the answer cites
 * @param warning why an LLM answer or classification is missing or was corrected; null when all
 *     went well
 * @param sources document chunks first, then recalled facts
 * @param intent the turn's intent ({@code question}, {@code follow-up}, {@code chit-chat}, {@code
 *     memory-statement})
 * @param rewrittenQuery what was searched when it is not the turn as written (a follow-up's
 *     standalone rewrite, or what a question beside a statement about the user asks); null
 *     otherwise
 * @param intentSource who classified the turn: {@code llm} or {@code local}
 * @param modelVersion the model version that answered
 * @param timings milliseconds per step ({@code intentMs}, {@code embedMs}, … {@code totalMs})
 * @param cached whether the answer came from the response cache
 * @param arm during a rollout, who served it: {@code champion}, {@code candidate}, {@code
 *     interleaved} or {@code fallback}; null otherwise
 */
public record QueryResult(
    String queryId,
    String answer,
    String answerMode,
    List<Integer> citations,
    String warning,
    List<Source> sources,
    String intent,
    String rewrittenQuery,
    String intentSource,
    String modelVersion,
    Map<String, Double> timings,
    boolean cached,
    String arm) {

  /** Whether no document came back (small talk and memory statements look nothing up). */
  public boolean noDocuments() {
    return sources.stream().noneMatch(Sources::isDocument);
  }
}
