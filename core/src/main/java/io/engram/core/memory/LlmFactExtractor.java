package io.engram.core.memory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.engram.core.llm.LlmGateway;
import io.engram.core.llm.LlmUnavailableException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Extracts facts through the {@link LlmGateway}: the model is asked for a JSON array of facts, and
 * the reply is validated field by field. Anything but a well-formed array of valid facts is a
 * {@link MalformedExtractionException} — the batch is retried and never stored half-valid.
 */
public final class LlmFactExtractor implements FactExtractor {

  static final String SYSTEM =
      "You extract durable facts about the user from a conversation. Answer with a JSON array and"
          + " nothing else. Each element is an object with the fields: \"subject\" (what the fact"
          + " is about, one to three lower-case words, e.g. \"beverage\", \"employer\","
          + " \"allergy\"), \"kind\" (one of \"who\", \"what\", \"preference\", \"decision\"),"
          + " \"text\" (the fact as one short sentence about \"User\", e.g. \"User prefers green"
          + " tea\"), \"confidence\" (a number from 0 to 1) and \"turns\" (the numbers of the"
          + " turns that state it). Only include what the user said about themselves. If there"
          + " is nothing, answer [].";

  /** Longest turn text put into the prompt. */
  static final int TURN_CHARS = 1000;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> FIELDS =
      Set.of("subject", "kind", "text", "confidence", "turns");

  private final LlmGateway gateway;

  public LlmFactExtractor(LlmGateway gateway) {
    this.gateway = gateway;
  }

  @Override
  public String name() {
    return "llm:" + gateway.modelName();
  }

  @Override
  public List<ExtractedFact> extract(List<Turn> turns, List<String> knownSubjects)
      throws MalformedExtractionException, LlmUnavailableException {
    Map<Integer, Long> turnIds = new TreeMap<>();
    StringBuilder prompt = new StringBuilder();
    if (!knownSubjects.isEmpty()) {
      prompt
          .append("Subjects already known for this user (reuse them for the same topic): ")
          .append(String.join(", ", knownSubjects))
          .append("\n\n");
    }
    prompt.append("Conversation:\n");
    int n = 0;
    for (Turn turn : turns) {
      if (!"user".equals(turn.role())) {
        continue;
      }
      n++;
      turnIds.put(n, turn.id());
      String text = turn.text().replaceAll("\\s+", " ").strip();
      if (text.length() > TURN_CHARS) {
        text = text.substring(0, TURN_CHARS) + "…";
      }
      prompt.append('[').append(n).append("] User: ").append(text).append('\n');
    }
    if (turnIds.isEmpty()) {
      return List.of();
    }
    prompt.append("\nFacts (JSON array):");
    return parse(gateway.complete(SYSTEM, prompt.toString()), turnIds);
  }

  /** Validates a reply; package-private so every malformed shape can be tested without a model. */
  static List<ExtractedFact> parse(String reply, Map<Integer, Long> turnIds)
      throws MalformedExtractionException {
    JsonNode root;
    try {
      root = JSON.readTree(stripFence(reply));
    } catch (JsonProcessingException e) {
      throw new MalformedExtractionException(
          "the LLM's answer is not JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isArray()) {
      throw new MalformedExtractionException("the LLM's answer is not a JSON array of facts");
    }
    List<ExtractedFact> facts = new ArrayList<>();
    for (int i = 0; i < root.size(); i++) {
      JsonNode node = root.get(i);
      String where = "fact " + (i + 1) + ": ";
      if (!node.isObject()) {
        throw new MalformedExtractionException(where + "not an object");
      }
      for (var names = node.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        if (!FIELDS.contains(name)) {
          throw new MalformedExtractionException(where + "unexpected field '" + name + "'");
        }
      }
      String subject = text(node, "subject", where);
      String text = text(node, "text", where);
      FactKind kind;
      try {
        kind = FactKind.fromWire(text(node, "kind", where));
      } catch (IllegalArgumentException e) {
        throw new MalformedExtractionException(where + e.getMessage());
      }
      JsonNode confidence = node.get("confidence");
      if (confidence == null || !confidence.isNumber()) {
        throw new MalformedExtractionException(where + "confidence must be a number");
      }
      JsonNode turns = node.get("turns");
      if (turns == null || !turns.isArray() || turns.isEmpty()) {
        throw new MalformedExtractionException(where + "turns must be a non-empty array");
      }
      Set<Long> sources = new LinkedHashSet<>();
      for (JsonNode t : turns) {
        Long id = t.canConvertToInt() ? turnIds.get(t.asInt()) : null;
        if (id == null) {
          throw new MalformedExtractionException(where + "turn " + t + " is not in the batch");
        }
        sources.add(id);
      }
      try {
        facts.add(
            new ExtractedFact(subject, kind, text, confidence.asDouble(), List.copyOf(sources)));
      } catch (IllegalArgumentException e) {
        throw new MalformedExtractionException(where + e.getMessage());
      }
    }
    return facts;
  }

  private static String text(JsonNode node, String field, String where)
      throws MalformedExtractionException {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual() || value.asText().isBlank()) {
      throw new MalformedExtractionException(where + field + " must be a non-empty string");
    }
    return value.asText();
  }

  /** Small models like to wrap JSON in a Markdown code fence; that much is tolerated. */
  static String stripFence(String reply) {
    String text = reply.strip();
    if (text.startsWith("```")) {
      int firstLine = text.indexOf('\n');
      int end = text.lastIndexOf("```");
      if (firstLine > 0 && end > firstLine) {
        return text.substring(firstLine + 1, end).strip();
      }
    }
    return text;
  }
}
