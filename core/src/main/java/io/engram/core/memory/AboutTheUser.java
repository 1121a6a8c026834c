package io.engram.core.memory;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A user's question about themselves, put the way their facts are stored: in the third person.
 * Facts read "User is allergic to peanuts"; the question "What am I allergic to?" is a poorer match
 * for them as it stands (cosine 0.72 with bge-small, 0.50 with MiniLM) than as "What is the user
 * allergic to?" (0.81, 0.68), and recall cuts at a similarity. A question with no first-person word
 * is left as it is. "me" is kept, being mostly the object of a request to the assistant ("Tell me
 * about …") rather than the subject asked about; so is "mine", as often a pit as a possessive. The
 * figures: docs/benchmarks/memory-recall.md.
 */
final class AboutTheUser {
  private AboutTheUser() {}

  private record Rule(Pattern pattern, String replacement) {}

  private static final String APOSTROPHE = "['’]";

  /** In order: inverted auxiliaries and contractions before the bare pronoun. */
  private static final List<Rule> RULES =
      List.of(
          rule("\\bam i\\b", "is the user"),
          rule("\\b(do|does) i\\b", "does the user"),
          rule("\\b(have|has) i\\b", "has the user"),
          rule("\\b(did|was|can|could|should|would|will|shall|must|might) i\\b", "$1 the user"),
          rule("\\bi" + APOSTROPHE + "m\\b|\\bi am\\b", "the user is"),
          rule("\\bi" + APOSTROPHE + "ve\\b", "the user has"),
          rule("\\bi" + APOSTROPHE + "d\\b", "the user would"),
          rule("\\bi" + APOSTROPHE + "ll\\b", "the user will"),
          // "I" alone only where a pronoun stands: opening a sentence or clause, or after a
          // question word or a conjunction. Elsewhere it is mostly a numeral ("type I diabetes",
          // "phase I trial", "World War I"), or part of a word ("I-beam", "I/O").
          rule(
              "(?<=^|[,;:.!?(]\\s|\\b(?:what|where|when|why|how|which|who|whom|that|if|and|but|or"
                  + "|so|because|since|while|until|before|after)\\s)i\\b(?![-/]|\\.\\w)",
              "the user"),
          rule("\\bmyself\\b", "the user"),
          rule("\\bmy\\b", "the user's"));

  private static Rule rule(String regex, String replacement) {
    return new Rule(
        Pattern.compile(regex, Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE), replacement);
  }

  /** Where a question asking several things divides: a comma, a semicolon, or "and". */
  private static final Pattern CLAUSE_BREAK =
      Pattern.compile(
          "\\s*[,;]\\s*(?:and\\s+)?|\\s+and\\s+", Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);

  /**
   * Clauses read apart at the most, so a long list of them costs a bounded number of embeddings.
   */
  static final int MAX_CLAUSES = 4;

  /**
   * Words a clause needs to be read apart: "the user's name" asks something, while "Which drinks"
   * (of "Which drinks and foods raise blood pressure?") is a fragment that, alone, MiniLM finds
   * like a user's drink preference.
   */
  private static final int MIN_WORDS = 3;

  /**
   * The clauses of a question (already in the third person) that asks several things at once, each
   * of at least {@value #MIN_WORDS} words; empty for a question of one clause. "What is the user's
   * job and the user's name?" asks two things, and as one sentence it is a poorer match for either
   * fact (cosine 0.72 and 0.71 with bge-small, at the cut-off) than its clauses are (0.76, 0.81):
   * recall also compares the facts with each clause. The figures: docs/benchmarks/memory-recall.md.
   */
  static List<String> clauses(String question) {
    List<String> clauses = new ArrayList<>();
    for (String part : CLAUSE_BREAK.split(question.strip())) {
      if (part.strip().split("\\s+").length >= MIN_WORDS && clauses.size() < MAX_CLAUSES) {
        clauses.add(part.strip());
      }
    }
    return clauses.size() >= 2 ? List.copyOf(clauses) : List.of();
  }

  /** {@code question} in the third person, or itself when it says nothing in the first. */
  static String of(String question) {
    String s = question;
    for (Rule r : RULES) {
      s = r.pattern().matcher(s).replaceAll(r.replacement());
    }
    return s;
  }
}
