package io.engram.core.llm;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes an answer with numbered citations from retrieved passages through the {@link LlmGateway},
 * then checks the citations: a number that is not one of the passages is removed from the text and
 * reported, so every citation a caller sees maps to a returned source.
 */
public final class AnswerGenerator {
  static final String SYSTEM =
      "You answer questions using only the numbered sources you are given. Cite the source of every"
          + " statement with its number in square brackets, like [1] or [2]. If the sources do not"
          + " contain the answer, say that you do not know. Answer in at most three sentences.";

  /** Longest passage text put into the prompt; small models have small context windows. */
  static final int PASSAGE_CHARS = 700;

  private static final Pattern CITATION = Pattern.compile("\\[(\\d{1,3}(?:\\s*,\\s*\\d{1,3})*)]");

  /**
   * A passage shown to the model as source {@code [number]}: the number is its position in the
   * sources the caller returns, so a citation maps to a source without translation.
   */
  public record Passage(int number, String title, String text) {
    public Passage {
      if (number < 1) {
        throw new IllegalArgumentException("source numbers start at 1, got " + number);
      }
    }
  }

  /**
   * The generated answer.
   *
   * @param text the answer, with only valid citations left in it
   * @param citations the 1-based source numbers cited, in order of first citation
   * @param warnings what was wrong with the reply (dropped citations, none at all)
   */
  public record Answer(String text, List<Integer> citations, List<String> warnings) {}

  private final LlmGateway gateway;

  public AnswerGenerator(LlmGateway gateway) {
    this.gateway = gateway;
  }

  public String modelName() {
    return gateway.modelName();
  }

  public Answer answer(String question, List<Passage> passages) throws LlmUnavailableException {
    String reply = gateway.complete(SYSTEM, prompt(question, passages));
    Set<Integer> numbers = new LinkedHashSet<>();
    passages.forEach(p -> numbers.add(p.number()));
    return check(reply, numbers);
  }

  static String prompt(String question, List<Passage> passages) {
    StringBuilder sb = new StringBuilder("Sources:\n");
    for (Passage p : passages) {
      String text = shownText(p);
      sb.append('[').append(p.number()).append("] ");
      if (p.title() != null && !p.title().isBlank()) {
        sb.append(p.title().strip()).append(". ");
      }
      sb.append(text).append('\n');
    }
    return sb.append("\nQuestion: ").append(question.strip()).append("\nAnswer:").toString();
  }

  /**
   * The passage's text as the prompt shows it: whitespace collapsed and cut at {@link
   * #PASSAGE_CHARS}. Whatever judges an answer against its sources should read this, not more.
   */
  public static String shownText(Passage p) {
    String text = p.text().replaceAll("\\s+", " ").strip();
    return text.length() > PASSAGE_CHARS ? text.substring(0, PASSAGE_CHARS) + "…" : text;
  }

  /** Keeps citations that name a passage, drops the others, and says what it dropped. */
  static Answer check(String reply, Set<Integer> sources) throws LlmUnavailableException {
    String text = reply.strip();
    Set<Integer> cited = new LinkedHashSet<>();
    Set<Integer> dropped = new LinkedHashSet<>();
    Matcher m = CITATION.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      List<String> kept = new ArrayList<>();
      for (String part : m.group(1).split(",")) {
        int n = Integer.parseInt(part.strip());
        if (sources.contains(n)) {
          cited.add(n);
          kept.add(String.valueOf(n));
        } else {
          dropped.add(n);
        }
      }
      m.appendReplacement(
          out, kept.isEmpty() ? "" : Matcher.quoteReplacement("[" + String.join(", ", kept) + "]"));
    }
    m.appendTail(out);
    text = out.toString().replaceAll("[ \\t]{2,}", " ").strip();
    if (text.isEmpty()) {
      throw new LlmUnavailableException("the LLM answer held nothing but invalid citations");
    }
    List<String> warnings = new ArrayList<>();
    if (!dropped.isEmpty()) {
      warnings.add("removed citations of sources that were not given: " + dropped);
    }
    if (cited.isEmpty()) {
      warnings.add("the LLM answer cites no source");
    }
    return new Answer(text, List.copyOf(cited), List.copyOf(warnings));
  }
}
