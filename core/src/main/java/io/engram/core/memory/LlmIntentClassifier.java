package io.engram.core.memory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.engram.core.llm.LlmGateway;
import io.engram.core.llm.LlmUnavailableException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Classifies a turn and rewrites follow-ups through the {@link LlmGateway}: one short prompt with
 * the last turns of the working memory, answered with a JSON object that is validated strictly.
 * Whenever the LLM gives no valid answer (timeout, outage, open breaker, malformed reply) the
 * {@link LocalIntentClassifier} decides that turn and the fallback is reported, so a failing LLM
 * degrades the classification, never the query.
 *
 * <p>Guard rails on what the LLM may change: only a follow-up is retrieved with the LLM's rewrite;
 * a question is searched for what it asks as the local rules read it (the turn, less the sentences
 * that state something about the user: "I work nights. Is coffee safe?" searches "Is coffee
 * safe?"), and small talk or a statement is kept as the user wrote it, so an LLM cannot rewrite a
 * standalone question away. Without earlier turns nothing is a follow-up.
 */
public final class LlmIntentClassifier implements IntentClassifier {
  private static final Logger log = LoggerFactory.getLogger(LlmIntentClassifier.class);

  static final String SYSTEM =
      "You classify the newest message of a user talking to a document search assistant and"
          + " rewrite follow-ups as standalone search queries. Answer with one JSON object and"
          + " nothing else: {\"intent\": \"question|follow_up|chit_chat|memory_statement\","
          + " \"query\": \"...\"}. The intent is question when the message can be understood on"
          + " its own, follow_up when it needs the earlier turns to be understood (it, they, what"
          + " about ...), chit_chat for greetings, thanks and small talk, memory_statement when"
          + " the user tells something about themselves (I prefer ..., my name is ...). The query"
          + " is the message as a standalone search query: for a follow_up, spell out what it"
          + " refers to from the earlier turns; otherwise repeat the message unchanged.";

  /** Turns of the working memory shown to the model: the last two exchanges. */
  static final int HISTORY_TURNS = 4;

  /** Longest turn text put into the prompt; answers are long and only their gist matters here. */
  static final int TURN_CHARS = 200;

  /**
   * A rewrite may be longer than the turn and the context it was given by this much (joining words,
   * punctuation); anything longer was not rewritten from them but invented.
   */
  static final int SLACK_CHARS = 40;

  /** At most this many '{' of a reply are tried as the start of its JSON object. */
  private static final int MAX_OBJECT_STARTS = 8;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> FIELDS = Set.of("intent", "query");
  private static final Map<String, Intent> LABELS =
      Map.of(
          "question", Intent.QUESTION,
          "follow_up", Intent.FOLLOW_UP,
          "chit_chat", Intent.CHIT_CHAT,
          "memory_statement", Intent.MEMORY_STATEMENT);

  /** A validated reply of the model, before the guard rails are applied. */
  record Reply(Intent intent, String query) {}

  /** The model's reply is not a valid classification; the message quotes none of the prompt. */
  static final class MalformedReplyException extends Exception {
    MalformedReplyException(String message) {
      super(message);
    }
  }

  private final LlmGateway gateway;
  private final LocalIntentClassifier local;

  /**
   * @param gateway a gateway with the intent budget (a short timeout, few tokens), see {@link
   *     io.engram.core.llm.LlmSettings#withCallBudget}
   * @param local decides when the LLM is not asked or gives no valid answer
   */
  public LlmIntentClassifier(LlmGateway gateway, LocalIntentClassifier local) {
    this.gateway = gateway;
    this.local = local;
  }

  @Override
  public String name() {
    return "llm:" + gateway.modelName();
  }

  @Override
  public Classified classify(String turn, List<WorkingMemory.Turn> history) {
    String text = turn.strip();
    Classified byRules = local.classify(text, history);
    // The local rules for small talk and statements about the user are anchored phrases
    // ("thanks", "I prefer …") the LLM could only confirm, and neither is retrieved with a
    // rewrite: sparing the call answers them at once.
    if (byRules.intent() == Intent.CHIT_CHAT || byRules.intent() == Intent.MEMORY_STATEMENT) {
      return byRules;
    }
    // Without earlier turns there is nothing to rewrite against and a question is searched as
    // written whoever classifies it; the LLM could only spot small talk the rules miss. That is
    // not worth a round trip before every sessionless query (the bulk of the traffic, and the
    // cached part of it), nor the risk of an LLM mistaking a real question for small talk and
    // skipping retrieval.
    List<WorkingMemory.Turn> shown =
        history.subList(Math.max(0, history.size() - HISTORY_TURNS), history.size());
    boolean hasContext = shown.stream().anyMatch(t -> "user".equals(t.role()));
    if (!hasContext) {
      return byRules;
    }
    String context = context(shown);
    try {
      String reply = gateway.complete(SYSTEM, prompt(context, text));
      Reply parsed = parse(reply, text.length() + context.length() + SLACK_CHARS);
      return guard(parsed, text, hasContext);
    } catch (LlmUnavailableException e) {
      return fallback(byRules, "the intent LLM is unavailable: " + e.getMessage());
    } catch (MalformedReplyException e) {
      return fallback(byRules, "the intent LLM's reply was malformed: " + e.getMessage());
    }
  }

  private static Classified fallback(Classified byRules, String reason) {
    log.warn("intent classified by the local rules: {}", reason);
    return byRules.asFallback(reason);
  }

  /** The earlier turns as the model sees them, one per line. */
  static String context(List<WorkingMemory.Turn> turns) {
    StringBuilder sb = new StringBuilder();
    for (WorkingMemory.Turn t : turns) {
      boolean user = "user".equals(t.role());
      sb.append(user ? "User: " : "Assistant: ").append(clip(t.text()));
      // A follow-up's own rewrite says what it was about, so a chain of follow-ups stays on topic.
      if (user
          && t.rewrittenQuery() != null
          && !t.rewrittenQuery().strip().equals(t.text().strip())) {
        sb.append(" (standalone: ").append(clip(t.rewrittenQuery())).append(')');
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  static String prompt(String context, String turn) {
    return "Earlier turns:\n" + context + "\nNewest message: " + turn + "\nJSON:";
  }

  private static String clip(String text) {
    String flat = text.replaceAll("\\s+", " ").strip();
    return flat.length() <= TURN_CHARS ? flat : flat.substring(0, TURN_CHARS) + "…";
  }

  /**
   * Validates a reply: the first JSON object in it (small models wrap it in prose or a Markdown
   * fence) with exactly a known {@code intent} and a non-blank {@code query} of at most {@code
   * maxQueryChars} characters.
   */
  static Reply parse(String reply, int maxQueryChars) throws MalformedReplyException {
    JsonNode root = firstObject(reply);
    for (var names = root.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        throw new MalformedReplyException("unexpected field '" + shorten(name) + "'");
      }
    }
    JsonNode intentNode = root.get("intent");
    if (intentNode == null || !intentNode.isTextual()) {
      throw new MalformedReplyException("intent must be a string");
    }
    String label = intentNode.asText().strip().toLowerCase(java.util.Locale.ROOT).replace('-', '_');
    Intent intent = LABELS.get(label);
    if (intent == null) {
      throw new MalformedReplyException("unknown intent '" + shorten(intentNode.asText()) + "'");
    }
    JsonNode queryNode = root.get("query");
    if (queryNode == null || !queryNode.isTextual() || queryNode.asText().isBlank()) {
      throw new MalformedReplyException("query must be a non-empty string");
    }
    String query = queryNode.asText().replaceAll("\\s+", " ").strip();
    if (query.length() > maxQueryChars) {
      throw new MalformedReplyException(
          "a query of "
              + query.length()
              + " characters is longer than the turn and its context justify ("
              + maxQueryChars
              + ")");
    }
    return new Reply(intent, query);
  }

  private static JsonNode firstObject(String reply) throws MalformedReplyException {
    int from = reply.indexOf('{');
    for (int tries = 0; from >= 0 && tries < MAX_OBJECT_STARTS; tries++) {
      try {
        // Whatever follows the object (the end of a fence, more prose) is not read.
        JsonNode node = JSON.readTree(reply.substring(from));
        if (node != null && node.isObject()) {
          return node;
        }
      } catch (JsonProcessingException e) {
        // Not an object starting here; try the next brace.
      }
      from = reply.indexOf('{', from + 1);
    }
    throw new MalformedReplyException("no JSON object in the reply");
  }

  /**
   * The guard rails: the rewrite is used only for a follow-up, and a follow-up needs earlier turns;
   * a question is searched for what it asks.
   */
  static Classified guard(Reply reply, String turn, boolean hasContext) {
    if (reply.intent() == Intent.FOLLOW_UP && hasContext) {
      return new Classified(Intent.FOLLOW_UP, reply.query(), Source.LLM, null);
    }
    if (reply.intent() == Intent.FOLLOW_UP || reply.intent() == Intent.QUESTION) {
      String asked = LocalIntentClassifier.asked(turn);
      return new Classified(Intent.QUESTION, asked.isEmpty() ? turn : asked, Source.LLM, null);
    }
    return new Classified(reply.intent(), turn, Source.LLM, null);
  }

  private static String shorten(String text) {
    String flat = text.replaceAll("\\s+", " ");
    return flat.length() <= 40 ? flat : flat.substring(0, 40) + "…";
  }
}
