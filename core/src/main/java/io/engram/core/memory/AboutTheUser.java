package io.engram.core.memory;

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

  /** {@code question} in the third person, or itself when it says nothing in the first. */
  static String of(String question) {
    String s = question;
    for (Rule r : RULES) {
      s = r.pattern().matcher(s).replaceAll(r.replacement());
    }
    return s;
  }
}
