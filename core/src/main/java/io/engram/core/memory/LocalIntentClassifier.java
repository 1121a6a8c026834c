package io.engram.core.memory;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;

/**
 * The cheap local intent classifier and follow-up rewriter: rules over the turn's words and the
 * working memory. It decides alone when no LLM is configured, and is the fallback of {@link
 * LlmIntentClassifier}. A follow-up is rewritten by naming the topic of the previous question it
 * leans on, in place of its pronoun or after it, which is what lets retrieval resolve "it" or "what
 * about …" without an LLM.
 *
 * <p>A topic is a noun phrase, never a verb: "Who catalogued the Quillfeather orchid?" is about
 * "the Quillfeather orchid", not "catalogued". The topic is found in what the user wrote, not in
 * earlier rewrites: a follow-up whose pronoun named the previous topic keeps it, so one wrong
 * rewrite is not carried into the next.
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

  /** Statements about the user, as they open: what {@link LocalFactExtractor} keeps a fact of. */
  private static final String STATES =
      "i prefer|i like|i love|i dislike|i don't like|i do not like|my name is|call me"
          + "|remember that|please remember|i (?:now )?work|i (?:now )?live|i usually|i always"
          + "|i never";

  /**
   * A statement about the user: one of {@link #STATES}, or "I am" / "I'm"; after the words people
   * open one with ("Actually, I now live in Madrid", "By the way, my name is Ada") only one of
   * {@link #STATES}, as "So I'm looking for studies on …" asks rather than tells.
   */
  private static final Pattern MEMORY_STATEMENT =
      Pattern.compile(
          "^(?:(?:i am|i'm|"
              + STATES
              + ")|(?:(?:actually|well|oh|so|also|and|but|btw|by the way|just so you know|fyi"
              + "|to be honest|honestly)\\b[,:]?\\s*)+(?:"
              + STATES
              + "))\\b.*");

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
          "is",
          "are",
          "was",
          "were",
          "be",
          "been",
          "do",
          "does",
          "did",
          "can",
          "could",
          "should",
          "would",
          "will",
          "may",
          "might",
          "must",
          "has",
          "have",
          "had",
          "what",
          "which",
          "who",
          "whom",
          "whose",
          "how",
          "why",
          "when",
          "where",
          "the",
          "a",
          "an",
          "of",
          "for",
          "in",
          "on",
          "to",
          "and",
          "or",
          "but",
          "there",
          "any",
          "much",
          "many",
          "some",
          "about",
          "with",
          "by",
          "from",
          "at",
          "as",
          "than",
          "then",
          "so",
          "also",
          "it",
          "its",
          "they",
          "them",
          "their",
          "this",
          "that",
          "these",
          "those",
          "i",
          "you",
          "we",
          "my",
          "your",
          "our",
          "not",
          "no",
          "good",
          "bad",
          "safe",
          "true",
          "really",
          "very",
          "more",
          "less",
          "he",
          "she",
          "him",
          "her",
          "his",
          "hers",
          "me",
          "us",
          "ours",
          "yours",
          "theirs",
          "am",
          "being",
          "shall",
          "into",
          "if",
          "whether",
          // Words a turn opens with that say how it is meant, not what it is about.
          "actually",
          "well",
          "oh",
          "btw",
          "honestly",
          "anyway",
          "please",
          "ok",
          "okay",
          "hmm");

  /**
   * Contractions open or glue a question like the words they stand for ("what's", "don't"); a
   * possessive ("Parkinson's") is part of a topic.
   */
  private static final Pattern CONTRACTION =
      Pattern.compile(
          "^(?:(?:what|who|where|when|why|how|it|that|there|here|he|she|let)['’]s"
              + "|\\p{L}+['’](?:re|ve|d|ll|m)|\\p{L}+n['’]t)$");

  /** Articles open a topic ("the Quillfeather orchid") rather than separate it. */
  private static final Set<String> ARTICLES = Set.of("the", "a", "an");

  /**
   * Auxiliaries after which a subject pronoun is followed by the main verb ("did she catalogue").
   */
  private static final Set<String> AUXILIARIES =
      Set.of(
          "is", "are", "was", "were", "am", "be", "been", "do", "does", "did", "can", "could",
          "should", "would", "will", "shall", "may", "might", "must", "has", "have", "had");

  /** Auxiliaries after which a subject is followed by a bare verb ("does aspirin thin …"). */
  private static final Set<String> DO_SUPPORT =
      Set.of(
          "do", "does", "did", "can", "could", "should", "would", "will", "shall", "may", "might",
          "must");

  private static final Set<String> SUBJECT_PRONOUNS =
      Set.of("i", "you", "he", "she", "it", "we", "they", "this", "that");

  /**
   * What a bare verb is followed by: its object ("thin the blood", "catalogue it"); not "that",
   * which also opens a relative clause after a noun.
   */
  private static final Set<String> OBJECT_OPENERS =
      Set.of("the", "a", "an", "it", "them", "him", "her", "these", "those");

  /** A word, or a punctuation mark that a topic does not run across ("green tea? coffee"). */
  private static final Pattern WORD =
      Pattern.compile("[\\p{L}\\p{N}]+(?:['’-][\\p{L}\\p{N}]+)*|[.,;:!?()\\[\\]\"]");

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
    Optional<String> topic = topic(history);
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
          (MEMORY_STATEMENT.matcher(lower).matches() || LocalFactExtractor.statesOnly(sentence))
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

  /**
   * The topic of a question: its first noun phrase that is not a verb, with its article, as
   * written, e.g. "coffee", "vitamin D", "the Quillfeather orchid". A phrase right after "what" or
   * "which" ("What temperature …") is what is asked about, so another phrase is preferred to it. A
   * verb is recognised by the few positions English questions put it in: right after "who" ("Who
   * catalogued …"), after an auxiliary and a subject pronoun ("did she catalogue …"), before an
   * object after a subject with "do" or a modal ("does aspirin thin the blood"), and as a past
   * participle ending a phrase ("was the Stirling engine invented"), and a command's verb opening a
   * sentence ("Describe …", "Tell me about …"); besides, a small lexicon knows common verbs.
   */
  static Optional<String> topicOf(String question) {
    List<String> words = WORD.matcher(question).results().map(MatchResult::group).toList();
    List<String> lower = words.stream().map(w -> w.toLowerCase(Locale.ROOT)).toList();
    Optional<String> asked = Optional.empty();
    boolean doSupport = false;
    int i = 0;
    while (i < words.size()) {
      String word = lower.get(i);
      boolean article = ARTICLES.contains(word);
      if (!article && (!isContent(word) || isVerbAt(lower, i))) {
        doSupport |= DO_SUPPORT.contains(word);
        i++;
        continue;
      }
      int j = article ? i + 1 : i;
      List<String> phrase = new ArrayList<>();
      while (j < words.size() && phrase.size() < TOPIC_WORDS && isContent(lower.get(j))) {
        boolean verb =
            !phrase.isEmpty()
                && (isParticiple(lower.get(j))
                    || (doSupport
                        && j + 1 < words.size()
                        && OBJECT_OPENERS.contains(lower.get(j + 1))));
        if (verb) {
          break;
        }
        phrase.add(words.get(j));
        j++;
      }
      while (!phrase.isEmpty() && isParticiple(phrase.get(phrase.size() - 1))) {
        phrase.remove(phrase.size() - 1);
      }
      if (!phrase.isEmpty()) {
        String topic = (article ? words.get(i) + " " : "") + String.join(" ", phrase);
        boolean whatIsAsked = i > 0 && Set.of("what", "which").contains(lower.get(i - 1));
        if (!whatIsAsked) {
          return Optional.of(topic);
        }
        asked = asked.or(() -> Optional.of(topic));
      }
      i = Math.max(j, i + 1);
    }
    return asked;
  }

  private static boolean isContent(String lowerWord) {
    return Character.isLetterOrDigit(lowerWord.charAt(0))
        && !FUNCTION_WORDS.contains(lowerWord)
        && !VERBS.contains(lowerWord)
        && !CONTRACTION.matcher(lowerWord).matches();
  }

  /**
   * Verbs that open a request put as a command ("Describe the Stirling engine.", "Tell me about
   * …"): at the start of a sentence they are the request, not its topic.
   */
  private static final Set<String> IMPERATIVES =
      Set.of(
          "tell",
          "describe",
          "explain",
          "show",
          "give",
          "list",
          "summarize",
          "summarise",
          "compare",
          "define",
          "discuss",
          "outline",
          "name",
          "find",
          "search",
          "look");

  /** Whether the word at {@code i} is a verb by its position, though not a known one. */
  private static boolean isVerbAt(List<String> lower, int i) {
    String before = i > 0 ? lower.get(i - 1) : "";
    if ((i == 0 || !Character.isLetterOrDigit(before.charAt(0)))
        && IMPERATIVES.contains(lower.get(i))) {
      return true;
    }
    if (before.equals("who")) {
      return true;
    }
    if ((before.equals("what") || before.equals("which")) && isParticiple(lower.get(i))) {
      return true;
    }
    return SUBJECT_PRONOUNS.contains(before) && i > 1 && AUXILIARIES.contains(lower.get(i - 2));
  }

  /** A past tense or participle by its ending, "catalogued", "invented" (not "seed", "red"). */
  private static boolean isParticiple(String word) {
    String w = word.toLowerCase(Locale.ROOT);
    return w.length() >= 5 && w.endsWith("ed") && !w.endsWith("eed");
  }

  private static String resolve(String followUp, String topic) {
    var matcher = REPLACEABLE_PRONOUN.matcher(followUp);
    if (matcher.find()) {
      String named =
          Character.isUpperCase(matcher.group().charAt(0))
              ? Character.toUpperCase(topic.charAt(0)) + topic.substring(1)
              : topic;
      return followUp.substring(0, matcher.start()) + named + followUp.substring(matcher.end());
    }
    return followUp + " " + topic;
  }

  /**
   * The topic the conversation is on, found in what the user wrote: a question sets it; a follow-up
   * whose pronoun stood for it keeps it; another follow-up ("What about green tea?") moves it to
   * the phrase it names. A follow-up's stored rewrite is read only where it was resolved correctly,
   * that is where it names the topic it followed, so an LLM's rewrite ("Is coffee safe for pregnant
   * women?") still carries the topic forward and a wrong one is not built upon.
   */
  private static Optional<String> topic(List<WorkingMemory.Turn> history) {
    Optional<String> topic = Optional.empty();
    for (WorkingMemory.Turn t : history) {
      if (!"user".equals(t.role()) || t.text() == null) {
        continue;
      }
      String asked = asked(t.text());
      if (Intent.QUESTION.wireName().equals(t.intent())) {
        topic = topicOf(asked);
      } else if (Intent.FOLLOW_UP.wireName().equals(t.intent())) {
        topic = followUpTopic(asked, t.rewrittenQuery(), topic);
      }
    }
    return topic;
  }

  private static Optional<String> followUpTopic(
      String asked, String rewritten, Optional<String> followed) {
    if (followed.isEmpty()) {
      return topicOf(asked);
    }
    if (REPLACEABLE_PRONOUN.matcher(asked).find()) {
      return followed;
    }
    String previous = followed.get().toLowerCase(Locale.ROOT);
    boolean resolved =
        rewritten != null
            && !rewritten.strip().equals(asked.strip())
            && rewritten.toLowerCase(Locale.ROOT).contains(previous);
    return (resolved ? topicOf(rewritten) : topicOf(asked)).or(() -> followed);
  }
}
