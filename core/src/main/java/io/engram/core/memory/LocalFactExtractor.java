package io.engram.core.memory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The deterministic extractor used when no LLM is configured: first-person statement patterns ("I
 * prefer …", "my name is …", "I work at …", "I'm allergic to …", "actually, I now prefer …") over
 * each clause of the user's turns. The same turns always give the same facts.
 *
 * <p>A sentence is split into clauses where a comma, a semicolon or a conjunction ("and", "but", …)
 * is followed by a new first-person statement a rule recognizes, so "I'm allergic to peanuts and my
 * name is Alice" gives two facts, while "I like salt and pepper" and "I like Tom and Jerry" stay
 * one.
 *
 * <p>Subjects decide what contradicts what. "I prefer X" is a choice within a category, so its
 * subject is X's category where a small lexicon knows it ("tea" and "coffee" are both {@code
 * beverage}) and X's head word otherwise; "I like / hate X" is about X itself, so liking coffee and
 * preferring tea never contradict each other.
 */
public final class LocalFactExtractor implements FactExtractor {

  static final double EXPLICIT = 0.9;
  static final double CORRECTION = 0.95;
  static final double HEDGED = 0.6;

  /** Where a turn's sentences end; {@link LocalIntentClassifier} reads a turn by the same ones. */
  static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?;])\\s+|\\n+");

  private static final Pattern LEAD_IN =
      Pattern.compile(
          "^(?:(?:actually|well|oh|ok|okay|so|also|and|but|btw|by the way|just so you know|fyi"
              + "|to be honest|honestly|hmm)\\b[,:]?\\s*)+",
          Pattern.CASE_INSENSITIVE);
  private static final Pattern HEDGE =
      Pattern.compile(
          "^(?:i think|i guess|i suppose|maybe|probably|perhaps)\\b[,]?\\s*",
          Pattern.CASE_INSENSITIVE);

  /** How a correction opens; it corrects every clause of its sentence. */
  private static final String OPENS_CORRECTION = "^(?:actually|correction|no wait|not anymore)\\b";

  private static final Pattern CORRECTION_OPENING =
      Pattern.compile(OPENS_CORRECTION, Pattern.CASE_INSENSITIVE);
  private static final Pattern CORRECTION_MARK =
      Pattern.compile(
          OPENS_CORRECTION + "|\\b(?:now|anymore|these days|instead)\\b", Pattern.CASE_INSENSITIVE);

  /**
   * Where a sentence may be split into clauses: a comma or semicolon, optionally with a
   * conjunction, or a conjunction alone. It is a split only if a recognized first-person statement
   * follows.
   */
  private static final Pattern CLAUSE_BOUNDARY =
      Pattern.compile(
          "\\s*[,;]\\s*(?:(?:and|but|so|plus|while|whereas|though|although)\\s+)?"
              + "|\\s+(?:and|but|plus|while|whereas|though|although)\\s+",
          Pattern.CASE_INSENSITIVE);

  /** How a clause that states something about the user opens. */
  private static final Pattern FIRST_PERSON =
      Pattern.compile("^(?:i|my|call me)\\b", Pattern.CASE_INSENSITIVE);

  /** Punctuation a clause or a fact does not end with. */
  private static final Pattern TRAILING_PUNCTUATION = Pattern.compile("[\\s.,;:!?…–—-]+$");

  /** A clause ends where a reason or a contrast begins. */
  private static final Pattern CLAUSE_END =
      Pattern.compile(
          "\\s*(?:,|\\bbecause\\b|\\bsince\\b|\\bbut\\b|\\bthough\\b|\\balthough\\b|\\bso that\\b).*$",
          Pattern.CASE_INSENSITIVE);

  private record Rule(Pattern pattern, Builder builder) {}

  @FunctionalInterface
  private interface Builder {
    Optional<Draft> build(Matcher m);
  }

  private record Draft(String subject, FactKind kind, String text) {}

  private static final List<Rule> RULES = new ArrayList<>();

  static {
    rule("^(?:my name is|call me|my name's)\\s+(.+)$", "name", FactKind.WHO, "User's name is ");
    rule("^i (?:now )?work (?:at|for) (.+)$", "employer", FactKind.WHO, "User works at ");
    rule(
        "^i (?:now )?work as (?:an? )?(.+)$",
        m -> Optional.of(new Draft("occupation", FactKind.WHO, "User works as " + a(m.group(1)))));
    rule(
        "^i(?:'m| am) (?:now )?an? ((?:[\\p{L}-]+\\s?){1,3})$",
        m -> {
          String what = m.group(1).strip();
          if (what.contains("fan")) {
            return Optional.empty();
          }
          // "I'm a vegetarian" is a diet, not a job.
          return category(what)
              .map(c -> new Draft(c, FactKind.PREFERENCE, "User is " + a(what)))
              .or(() -> Optional.of(new Draft("occupation", FactKind.WHO, "User is " + a(what))));
        });
    rule(
        "^i (?:now )?(?:live|reside) in (.+)$|^i(?:'m| am) (?:now )?based in (.+)$|^i(?:'ve| have)? (?:just )?moved to (.+)$",
        "home",
        FactKind.WHO,
        "User lives in ");
    rule("^i(?:'m| am) (?:originally )?from (.+)$", "origin", FactKind.WHO, "User is from ");
    rule(
        "^i(?:'m| am) (?:severely |very |mildly )?allergic to (.+)$",
        "allergy",
        FactKind.WHAT,
        "User is allergic to ");
    rule(
        "^my (?:favou?rite) ((?:[\\p{L}-]+\\s?){1,3}) is (.+)$",
        m -> {
          String what = m.group(1).strip();
          String subject =
              category(m.group(2))
                  .orElse(
                      LocalFactExtractor.CATEGORY_ALIASES.getOrDefault(
                          ExtractedFact.normalize(what), what));
          return Optional.of(
              new Draft(
                  subject, FactKind.PREFERENCE, "User's favorite " + what + " is " + m.group(2)));
        });
    rule(
        "^i(?:'d| would)? (?:now |still |much |really |generally |usually )?prefer (to .+)$",
        toDo -> decisionSubject(toDo.substring("to ".length())),
        FactKind.PREFERENCE,
        "User prefers ");
    rule(
        "^i(?:'d| would)? (?:now |still |much |really |generally |usually )?(?:prefer|rather(?: have)?) (.+?)(?:\\s+(?:over|to|rather than|instead of|than) (.+))?$",
        m -> {
          String choice = m.group(1);
          String subject =
              category(choice)
                  .or(() -> Optional.ofNullable(m.group(2)).flatMap(LocalFactExtractor::category))
                  .orElse(head(choice));
          String text =
              "User prefers " + choice + (m.group(2) == null ? "" : " over " + m.group(2));
          return Optional.of(new Draft(subject, FactKind.PREFERENCE, text));
        });
    rule(
        "^i (?:really |also |do |still |absolutely )?(?:like|love|enjoy|adore) (.+)$",
        LocalFactExtractor::item,
        FactKind.PREFERENCE,
        "User likes ");
    rule(
        "^i (?:really )?(?:don't|do not|dont|no longer|do no longer) (?:like|enjoy|want) (.+)$|^i (?:really )?(?:dislike|hate|can't stand|cannot stand|detest) (.+)$",
        LocalFactExtractor::item,
        FactKind.PREFERENCE,
        "User dislikes ");
    rule(
        "^i(?:'ve| have)? (?:now |finally )?(?:decided|chosen|chose) (?:to|on) (.+)$",
        LocalFactExtractor::decisionSubject,
        FactKind.DECISION,
        "User decided to ");
    rule("^i (?:use|drive|own) (.+)$", LocalFactExtractor::item, FactKind.WHAT, "User uses ");
    rule(
        "^i (usually|always|never|often) (.+)$",
        m ->
            Optional.of(
                new Draft(
                    head(m.group(2)),
                    FactKind.WHAT,
                    "User " + m.group(1).toLowerCase(Locale.ROOT) + " " + m.group(2))));
    rule(
        "^(?:please )?(?:remember|note|keep in mind)(?: that)? (.+)$",
        m -> {
          String said = thirdPerson(m.group(1));
          return Optional.of(new Draft(head(said), FactKind.WHAT, capitalize(said)));
        });
  }

  private static void rule(String regex, Builder builder) {
    RULES.add(new Rule(Pattern.compile(regex, Pattern.CASE_INSENSITIVE), builder));
  }

  /**
   * A rule whose fact is {@code text} followed by the phrase the pattern captured (the first of its
   * groups that matched), about {@code subject}.
   */
  private static void rule(String regex, String subject, FactKind kind, String text) {
    rule(regex, phrase -> subject, kind, text);
  }

  /** As {@link #rule(String, String, FactKind, String)}, with the subject found in the phrase. */
  private static void rule(
      String regex, UnaryOperator<String> subject, FactKind kind, String text) {
    rule(
        regex,
        m -> {
          String phrase = firstGroup(m);
          return Optional.of(new Draft(subject.apply(phrase), kind, text + phrase));
        });
  }

  @Override
  public List<ExtractedFact> extract(List<Turn> turns, List<String> knownSubjects) {
    // Keyed by normalized text, so one fact said twice in a batch is stored once with both turns.
    Map<String, ExtractedFact> facts = new LinkedHashMap<>();
    for (Turn turn : turns) {
      if (!"user".equals(turn.role())) {
        continue;
      }
      for (String sentence : SENTENCE_END.split(turn.text().strip())) {
        extractSentence(sentence, turn.id())
            .forEach(
                fact ->
                    facts.merge(
                        fact.normalizedText(),
                        fact,
                        (a, b) ->
                            new ExtractedFact(
                                a.subject(),
                                a.kind(),
                                a.text(),
                                Math.max(a.confidence(), b.confidence()),
                                union(a.sourceTurnIds(), b.sourceTurnIds()))));
      }
    }
    return List.copyOf(facts.values());
  }

  @Override
  public String name() {
    return "local";
  }

  /** The facts of one sentence: one per clause a rule recognizes, in order. */
  static List<ExtractedFact> extractSentence(String raw, long turnId) {
    if (raw.strip().endsWith("?")) {
      // A question states nothing about the user.
      return List.of();
    }
    String sentence = tidied(raw);
    // "Actually, …" corrects every clause of the sentence; "now" only its own.
    boolean correctsAll = CORRECTION_OPENING.matcher(sentence).find();
    List<ExtractedFact> facts = new ArrayList<>();
    for (String clause : clauses(sentence)) {
      extractClause(clause, correctsAll, turnId).ifPresent(facts::add);
    }
    return facts;
  }

  /** A sentence as the rules read it: straight apostrophes, single spaces, no closing mark. */
  private static String tidied(String raw) {
    return TRAILING_PUNCTUATION
        .matcher(raw.replace('’', '\'').replaceAll("\\s+", " ").strip())
        .replaceFirst("");
  }

  /**
   * Whether {@code raw} is nothing but statements about the user that the rules recognize ("My
   * favourite colour is teal.", "I drive a Tesla; I live in Porto."): what {@link
   * LocalIntentClassifier} also takes for a memory statement, so a fact the extractor would keep is
   * not searched for as a question. A sentence with anything more is not: in "I use aspirin, tell
   * me about its interactions" a request follows the fact, and in "Tell me about statins, and I use
   * aspirin" one comes first; each is searched, and its fact still distilled.
   */
  static boolean statesOnly(String raw) {
    if (raw.strip().endsWith("?")) {
      return false;
    }
    String sentence = tidied(raw);
    if (sentence.isEmpty()) {
      return false;
    }
    for (String clause : clauses(sentence)) {
      String text = statement(TRAILING_PUNCTUATION.matcher(clause.strip()).replaceFirst("")).text();
      // A comma, a reason or a contrast left inside a clause is more than its fact.
      if (CLAUSE_END.matcher(text).find() || extractClause(clause, false, 0).isEmpty()) {
        return false;
      }
    }
    return true;
  }

  /**
   * The clauses of a sentence, split where a boundary is followed by a first-person statement that
   * a rule recognizes. Boundaries are tried from the right, so each candidate clause is already
   * bounded by the clauses after it.
   */
  static List<String> clauses(String sentence) {
    List<MatchResult> boundaries = CLAUSE_BOUNDARY.matcher(sentence).results().toList();
    List<String> clauses = new ArrayList<>();
    int end = sentence.length();
    for (int i = boundaries.size() - 1; i >= 0; i--) {
      MatchResult boundary = boundaries.get(i);
      if (boundary.start() == 0 || boundary.end() >= end) {
        continue;
      }
      String tail = sentence.substring(boundary.end(), end);
      Statement statement = statement(tail);
      if (FIRST_PERSON.matcher(statement.text()).find() && draft(statement.text()).isPresent()) {
        clauses.add(0, tail);
        end = boundary.start();
      }
    }
    clauses.add(0, sentence.substring(0, end));
    return clauses;
  }

  private static Optional<ExtractedFact> extractClause(String raw, boolean corrected, long turnId) {
    String clause = TRAILING_PUNCTUATION.matcher(raw.strip()).replaceFirst("");
    boolean correction = corrected || CORRECTION_MARK.matcher(clause).find();
    Statement statement = statement(clause);
    if (statement.text().isEmpty()) {
      return Optional.empty();
    }
    return draft(statement.text())
        .flatMap(
            draft -> {
              String text =
                  TRAILING_PUNCTUATION
                      .matcher(CLAUSE_END.matcher(draft.text()).replaceFirst("").strip())
                      .replaceFirst("");
              if (text.length() > ExtractedFact.MAX_TEXT || draft.subject().isBlank()) {
                return Optional.empty();
              }
              double confidence = statement.hedged() ? HEDGED : correction ? CORRECTION : EXPLICIT;
              return Optional.of(
                  new ExtractedFact(
                      draft.subject(), draft.kind(), text, confidence, List.of(turnId)));
            });
  }

  /** A clause without its lead-in ("actually, ", "and ") and hedge ("I think "). */
  private record Statement(String text, boolean hedged) {}

  private static Statement statement(String clause) {
    String text = LEAD_IN.matcher(clause.strip()).replaceFirst("");
    Matcher hedge = HEDGE.matcher(text);
    boolean hedged = hedge.find();
    if (hedged) {
      text = text.substring(hedge.end());
    }
    return new Statement(text.replaceAll("\\s+", " ").strip(), hedged);
  }

  /** What the first rule that matches the whole statement makes of it. */
  private static Optional<Draft> draft(String statement) {
    for (Rule rule : RULES) {
      Matcher m = rule.pattern().matcher(statement);
      if (m.matches()) {
        Optional<Draft> draft = rule.builder().build(m);
        if (draft.isPresent()) {
          return draft;
        }
      }
    }
    return Optional.empty();
  }

  // ---------------------------------------------------------------- subjects

  private static final Set<String> DETERMINERS =
      Set.of("a", "an", "the", "my", "some", "more", "most", "to", "any", "our", "your");
  private static final Set<String> PREPOSITIONS =
      Set.of("to", "in", "at", "on", "for", "with", "into", "from", "by", "over", "back");
  private static final Pattern PREPOSITION =
      Pattern.compile(
          "\\s+(?:in|at|on|for|with|during|when|while|from|by|after|before|over|than|to|instead|rather)\\b.*$",
          Pattern.CASE_INSENSITIVE);

  /** Categories of things people choose between, by word (singular) or two-word phrase. */
  private static final Map<String, String> CATEGORIES = new LinkedHashMap<>();

  static {
    category(
        "beverage",
        "tea",
        "coffee",
        "espresso",
        "latte",
        "cappuccino",
        "water",
        "juice",
        "milk",
        "soda",
        "beer",
        "wine",
        "cocoa",
        "hot chocolate",
        "lemonade");
    category(
        "food", "pizza", "pasta", "sushi", "burger", "salad", "curry", "taco", "steak", "noodle");
    category("diet", "vegetarian", "vegan", "keto", "gluten-free", "pescatarian");
    category(
        "color", "red", "blue", "green", "yellow", "black", "white", "purple", "orange", "pink");
    category(
        "programming language",
        "python",
        "java",
        "kotlin",
        "go",
        "golang",
        "rust",
        "javascript",
        "typescript",
        "c++",
        "c#",
        "scala",
        "ruby");
    category("editor", "vim", "neovim", "emacs", "vscode", "vs code", "intellij");
    category("operating system", "linux", "windows", "macos", "mac");
    category("pet", "cat", "dog");
    category("transport", "train", "bus", "car", "bike", "bicycle", "plane", "flying");
    category("seat", "aisle seat", "window seat", "aisle", "seat");
    category("theme", "dark mode", "light mode", "dark theme", "light theme");
    category(
        "answer style",
        "short answer",
        "long answer",
        "detailed answer",
        "bullet point",
        "brief answer",
        "concise answer");
    category("contact channel", "email", "phone", "phone call", "text message", "slack");
    category("unit system", "metric", "imperial", "celsius", "fahrenheit");
    category("time of day", "morning", "evening", "night", "afternoon");
  }

  /** What users call a category when they name it: "my favorite drink is …". */
  private static final Map<String, String> CATEGORY_ALIASES =
      Map.of(
          "drink", "beverage",
          "colour", "color",
          "dish", "food",
          "meal", "food",
          "text editor", "editor",
          "os", "operating system");

  private static void category(String name, String... members) {
    for (String member : members) {
      CATEGORIES.put(member, name);
    }
  }

  /** The category of a chosen thing: two-word phrases first, then its head word. */
  static Optional<String> category(String thing) {
    List<String> words = contentWords(cutAtPreposition(thing));
    for (int i = 0; i + 1 < words.size(); i++) {
      String pair = singular(words.get(i)) + " " + singular(words.get(i + 1));
      if (CATEGORIES.containsKey(pair)) {
        return Optional.of(CATEGORIES.get(pair));
      }
      String rawPair = words.get(i) + " " + words.get(i + 1);
      if (CATEGORIES.containsKey(rawPair)) {
        return Optional.of(CATEGORIES.get(rawPair));
      }
    }
    for (int i = words.size() - 1; i >= 0; i--) {
      String word = words.get(i);
      String found = CATEGORIES.getOrDefault(word, CATEGORIES.get(singular(word)));
      if (found != null) {
        return Optional.of(found);
      }
    }
    return Optional.empty();
  }

  /** What "I like X" is about: X without articles and trailing circumstances, e.g. "cats". */
  static String item(String thing) {
    List<String> words = contentWords(cutAtPreposition(thing));
    return words.isEmpty() ? ExtractedFact.normalize(thing) : String.join(" ", words);
  }

  /** The head word of a noun phrase: in English, its last content word before a preposition. */
  static String head(String thing) {
    List<String> words = contentWords(cutAtPreposition(thing));
    if (words.isEmpty()) {
      words = contentWords(thing);
    }
    return words.isEmpty() ? ExtractedFact.normalize(thing) : words.get(words.size() - 1);
  }

  /**
   * What a decision is about: its verb when a preposition follows ("move to Berlin" and "move to
   * Munich" are the same decision, changed), else the verb and its object ("learn Spanish" and
   * "learn the piano" are two decisions).
   */
  static String decisionSubject(String plan) {
    String[] raw = ExtractedFact.normalize(plan).split(" ");
    List<String> words = contentWords(plan);
    if (words.isEmpty()) {
      return "plan";
    }
    if (words.size() == 1 || (raw.length > 1 && PREPOSITIONS.contains(raw[1]))) {
      return words.get(0);
    }
    return words.get(0) + " " + words.get(1);
  }

  private static String cutAtPreposition(String thing) {
    return PREPOSITION.matcher(CLAUSE_END.matcher(thing).replaceFirst("")).replaceFirst("");
  }

  private static List<String> contentWords(String text) {
    List<String> words = new ArrayList<>();
    for (String w : ExtractedFact.normalize(text).split(" ")) {
      if (!w.isBlank() && !DETERMINERS.contains(w)) {
        words.add(w);
      }
    }
    return words;
  }

  private static String singular(String word) {
    if (word.length() > 3 && word.endsWith("s") && !word.endsWith("ss")) {
      return word.substring(0, word.length() - 1);
    }
    return word;
  }

  private static String firstGroup(Matcher m) {
    for (int i = 1; i <= m.groupCount(); i++) {
      if (m.group(i) != null) {
        return m.group(i);
      }
    }
    throw new IllegalStateException("pattern without a group: " + m.pattern());
  }

  /** "a engineer" is avoided by letting the pattern keep the user's own article when present. */
  private static String a(String noun) {
    String n = noun.strip();
    if (n.matches("(?i)^(a|an|the)\\s.*")) {
      return n;
    }
    return ("aeiouAEIOU".indexOf(n.charAt(0)) >= 0 ? "an " : "a ") + n;
  }

  static String thirdPerson(String text) {
    return text.replaceAll("(?i)\\bI am\\b|\\bI'm\\b", "User is")
        .replaceAll("(?i)\\bI've\\b", "User has")
        .replaceAll("(?i)\\bmy\\b", "User's")
        .replaceAll("(?i)\\bmine\\b", "User's")
        .replaceAll("\\bI\\b", "User")
        .replaceAll("(?i)\\bme\\b", "User");
  }

  private static String capitalize(String text) {
    return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
  }

  private static List<Long> union(List<Long> a, List<Long> b) {
    List<Long> out = new ArrayList<>(a);
    for (Long id : b) {
      if (!out.contains(id)) {
        out.add(id);
      }
    }
    return out;
  }
}
