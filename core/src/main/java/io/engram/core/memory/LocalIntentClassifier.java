package io.engram.core.memory;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The cheap local intent classifier and follow-up rewriter: rules over the turn's words and the
 * working memory. It decides alone when no LLM is configured, and is the fallback of {@link
 * LlmIntentClassifier}. A follow-up is rewritten by adding the previous question it leans on, which
 * is what lets retrieval resolve "it" or "what about …" without an LLM.
 *
 * <p>A turn is a memory statement only when every sentence of it states something about the user or
 * makes small talk: "I work as a nurse. Is coffee safe for night shifts?" is a question, searched
 * for what it asks ("Is coffee safe for night shifts?"; the statement is still distilled from the
 * turn and recalled from memory), not something merely to note.
 */
public final class LocalIntentClassifier implements IntentClassifier {

  private static final Pattern CHIT_CHAT =
      Pattern.compile(
          "^(hi|hello|hey|thanks|thank you|thx|good (morning|afternoon|evening)|bye|goodbye|ok|okay|cool|great"
              + "|nice to meet you)"
              + "( there| a lot| so much| engram)?[!. ]*$");
  private static final Pattern MEMORY_STATEMENT =
      Pattern.compile(
          "^(i prefer|i like|i love|i dislike|i don't like|i do not like|i am|i'm|my name is|call me|"
              + "remember that|please remember|i work|i live|i usually|i always|i never)\\b.*");

  /** A first-person opening that asks rather than states ("I am wondering whether …"). */
  private static final Pattern ASKING_STATEMENT =
      Pattern.compile("^(i am|i'm) (wondering|curious|not sure|unsure)\\b.*");

  private static final Pattern FOLLOW_UP_START =
      Pattern.compile("^(and|also|what about|how about|what else|why|how so|but|then|so)\\b.*");
  private static final Set<String> ANAPHORA =
      Set.of(
          "it", "its", "they", "them", "their", "this", "that", "these", "those", "he", "she",
          "him", "her", "there");

  /** Words that open a question or glue it together; a topic is what comes after them. */
  private static final Set<String> FUNCTION_WORDS =
      Set.of(
          "is", "are", "was", "were", "be", "been", "do", "does", "did", "can", "could", "should",
          "would", "will", "may", "might", "must", "has", "have", "had", "what", "which", "who",
          "whom", "whose", "how", "why", "when", "where", "the", "a", "an", "of", "for", "in", "on",
          "to", "and", "or", "but", "there", "any", "much", "many", "some", "about", "with", "by",
          "from", "at", "as", "than", "then", "so", "also", "it", "its", "they", "them", "their",
          "this", "that", "these", "those", "i", "you", "we", "my", "your", "our", "not", "no",
          "good", "bad", "safe", "true", "really", "very", "more", "less");

  /** Common verbs of health and science questions: a topic ends where its verb begins. */
  private static final Set<String> VERBS =
      Set.of(
          "harm",
          "harms",
          "cause",
          "causes",
          "reduce",
          "reduces",
          "increase",
          "increases",
          "prevent",
          "prevents",
          "affect",
          "affects",
          "help",
          "helps",
          "improve",
          "improves",
          "lower",
          "lowers",
          "raise",
          "raises",
          "lead",
          "leads",
          "work",
          "works",
          "treat",
          "treats",
          "protect",
          "protects",
          "damage",
          "damages",
          "contain",
          "contains",
          "cure",
          "cures",
          "change",
          "changes",
          "slow",
          "slows",
          "interact",
          "interacts",
          "mean",
          "means",
          "need",
          "needs",
          "matter",
          "matters");

  private static final Pattern REPLACEABLE_PRONOUN =
      Pattern.compile("\\b(it|they|them|this|that|these|those)\\b", Pattern.CASE_INSENSITIVE);

  /** A topic is at most this many consecutive content words. */
  private static final int TOPIC_WORDS = 3;

  /** Follow-ups this short (in words) cannot stand alone. */
  private static final int SHORT_QUERY_WORDS = 3;

  @Override
  public String name() {
    return "local";
  }

  @Override
  public Classified classify(String turn, List<WorkingMemory.Turn> history) {
    String text = turn.strip();
    String lower = text.toLowerCase(Locale.ROOT);
    if (CHIT_CHAT.matcher(lower).matches()) {
      return Classified.local(Intent.CHIT_CHAT, text);
    }
    String asked = asked(text);
    if (asked.isEmpty()) {
      return Classified.local(Intent.MEMORY_STATEMENT, text);
    }
    Optional<String> topic =
        previousQuery(history)
            .map(LocalIntentClassifier::asked)
            .flatMap(LocalIntentClassifier::topicOf);
    if (topic.isPresent() && leansOnContext(asked.toLowerCase(Locale.ROOT))) {
      return Classified.local(Intent.FOLLOW_UP, resolve(asked, topic.get()));
    }
    return Classified.local(Intent.QUESTION, asked);
  }

  /**
   * What {@code text} asks: the text itself when every sentence asks, else the sentences that
   * neither state something about the user nor make small talk, in order; empty when none is left.
   * A sentence that ends with a question mark asks, whatever its opening. {@link
   * LlmIntentClassifier} searches a question for the same part.
   */
  static String asked(String text) {
    StringBuilder asked = new StringBuilder();
    boolean dropped = false;
    // The sentences the local fact extractor reads, so a statement it keeps is one this skips.
    for (String sentence : LocalFactExtractor.SENTENCE_END.split(text)) {
      String lower = sentence.strip().toLowerCase(Locale.ROOT);
      boolean states =
          MEMORY_STATEMENT.matcher(lower).matches()
              && !lower.endsWith("?")
              && !ASKING_STATEMENT.matcher(lower).matches();
      if (states || CHIT_CHAT.matcher(lower).matches()) {
        dropped = true;
      } else if (!lower.isEmpty()) {
        asked.append(asked.isEmpty() ? "" : " ").append(sentence.strip());
      }
    }
    return dropped ? asked.toString() : text.strip();
  }

  private static boolean leansOnContext(String lower) {
    if (FOLLOW_UP_START.matcher(lower).matches()) {
      return true;
    }
    String[] words = lower.replaceAll("[^a-z0-9' ]", " ").trim().split("\\s+");
    if (words.length <= SHORT_QUERY_WORDS) {
      return true;
    }
    for (String word : words) {
      if (ANAPHORA.contains(word)) {
        return true;
      }
    }
    return false;
  }

  /** The first run of content words of a question: its subject, e.g. "coffee", "vitamin d". */
  static Optional<String> topicOf(String question) {
    List<String> topic = new java.util.ArrayList<>();
    for (String word :
        question.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9' -]", " ").trim().split("\\s+")) {
      if (FUNCTION_WORDS.contains(word) || VERBS.contains(word) || word.isBlank()) {
        if (!topic.isEmpty()) {
          break;
        }
        continue;
      }
      topic.add(word);
      if (topic.size() == TOPIC_WORDS) {
        break;
      }
    }
    return topic.isEmpty() ? Optional.empty() : Optional.of(String.join(" ", topic));
  }

  private static String resolve(String followUp, String topic) {
    var matcher = REPLACEABLE_PRONOUN.matcher(followUp);
    if (matcher.find()) {
      return followUp.substring(0, matcher.start()) + topic + followUp.substring(matcher.end());
    }
    return followUp + " " + topic;
  }

  /**
   * The last retrieval query of the conversation: a follow-up's own rewrite carries its context
   * forward, so a chain of follow-ups stays on topic.
   */
  private static Optional<String> previousQuery(List<WorkingMemory.Turn> history) {
    for (int i = history.size() - 1; i >= 0; i--) {
      WorkingMemory.Turn t = history.get(i);
      if ("user".equals(t.role())
          && (Intent.QUESTION.wireName().equals(t.intent())
              || Intent.FOLLOW_UP.wireName().equals(t.intent()))) {
        return Optional.of(t.rewrittenQuery() != null ? t.rewrittenQuery() : t.text());
      }
    }
    return Optional.empty();
  }
}
