package io.engram.core.query;

import io.engram.core.llm.AnswerGenerator;
import io.engram.core.llm.LlmUnavailableException;
import io.engram.core.memory.MemoryHit;
import io.engram.core.retrieval.Candidate;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns retrieved passages into the answer: through the LLM gateway when one is configured, else
 * (and whenever the LLM fails) an extractive answer from the best passage, labelled as such. An LLM
 * outage therefore degrades answers, never the endpoint.
 */
public final class Answerer {
  private static final Logger log = LoggerFactory.getLogger(Answerer.class);

  /** How many passages the LLM sees; small models answer worse from long prompts. */
  static final int LLM_PASSAGES = 5;

  /**
   * The answer.
   *
   * @param mode {@code llm} or {@code extractive}
   * @param citations 1-based numbers of the sources the answer cites
   * @param warning why an LLM answer is missing or was corrected; null when all went well
   * @param generator the model that wrote it, or {@code extractive}
   */
  public record Answer(
      String text,
      String mode,
      List<Integer> citations,
      String warning,
      String generator,
      double millis) {}

  private final AnswerGenerator generator;

  public Answerer(AnswerGenerator generator) {
    this.generator = generator;
  }

  public boolean llmConfigured() {
    return generator != null;
  }

  /** Which generator writes answers: the LLM's model name, or {@code extractive}. */
  public String generatorName() {
    return generator == null ? "extractive" : generator.modelName();
  }

  public Answer answer(String question, List<Candidate> hits) {
    return answer(question, hits, List.of());
  }

  /**
   * Answers from the document hits and the facts recalled from the asker's memory. Sources are
   * numbered as the response lists them: documents {@code 1..hits.size()}, then facts.
   */
  public Answer answer(String question, List<Candidate> hits, List<MemoryHit> facts) {
    long start = System.nanoTime();
    if (hits.isEmpty() && facts.isEmpty()) {
      return new Answer(
          "No passage in this collection matches the question.",
          "extractive",
          List.of(),
          null,
          "extractive",
          0);
    }
    String warning = null;
    if (generator != null) {
      List<AnswerGenerator.Passage> passages = new ArrayList<>();
      for (int i = 0; i < Math.min(LLM_PASSAGES, hits.size()); i++) {
        Candidate hit = hits.get(i);
        passages.add(new AnswerGenerator.Passage(i + 1, hit.chunk().title(), hit.chunk().text()));
      }
      for (int j = 0; j < facts.size(); j++) {
        MemoryHit fact = facts.get(j);
        passages.add(
            new AnswerGenerator.Passage(
                hits.size() + j + 1,
                "What I remember about you (" + fact.subject() + ")",
                fact.text()));
      }
      try {
        AnswerGenerator.Answer answer = generator.answer(question, passages);
        return new Answer(
            answer.text(),
            "llm",
            answer.citations(),
            answer.warnings().isEmpty() ? null : String.join("; ", answer.warnings()),
            generator.modelName(),
            (System.nanoTime() - start) / 1e6);
      } catch (LlmUnavailableException e) {
        log.warn("LLM answer unavailable, answering extractively: {}", e.getMessage());
        warning = e.getMessage() + "; answered extractively from the best passage";
      }
    }
    // Without an LLM: a question about the asker, or one no document matches, is answered from
    // the best recalled fact; anything else from the best passage.
    if (!facts.isEmpty() && (hits.isEmpty() || aboutTheAsker(question))) {
      int number = hits.size() + 1;
      return new Answer(
          facts.get(0).text() + " [" + number + "]",
          "extractive",
          List.of(number),
          warning,
          "extractive",
          (System.nanoTime() - start) / 1e6);
    }
    return new Answer(
        Sources.snippet(hits.get(0).chunk().text()) + " [1]",
        "extractive",
        List.of(1),
        warning,
        "extractive",
        (System.nanoTime() - start) / 1e6);
  }

  private static final java.util.regex.Pattern FIRST_PERSON =
      java.util.regex.Pattern.compile(
          "\\b(i|me|my|mine|myself|i'm|i've|i'd)\\b", java.util.regex.Pattern.CASE_INSENSITIVE);

  static boolean aboutTheAsker(String question) {
    return FIRST_PERSON.matcher(question).find();
  }
}
