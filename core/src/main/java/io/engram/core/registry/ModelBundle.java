package io.engram.core.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.engram.core.rerank.CrossEncoderReranker;
import io.engram.core.rerank.RerankerSettings;
import io.engram.core.rerank.Rerankers;
import io.engram.core.retrieval.RetrievalSettings;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * Everything a registered model version pins besides its index version: how it retrieves, its
 * reranker (with the weights of a linear one as a stored artifact), and the model that wrote its
 * answers when it was registered. Stored as the {@code config} JSON of {@code model_versions}.
 *
 * @param retrieval how it searches its index version
 * @param reranker what reorders the fused candidates
 * @param answerModel {@code extractive} or the LLM's name, for the record
 */
public record ModelBundle(
    RetrievalSettings retrieval, RerankerSettings reranker, String answerModel) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public ModelBundle {
    Objects.requireNonNull(retrieval, "retrieval");
    Objects.requireNonNull(reranker, "reranker");
    answerModel = answerModel == null ? "extractive" : answerModel;
  }

  /** The bundle as stored. */
  public String toJson() {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode r = root.putObject("retrieval");
    r.put("mode", retrieval.mode().name());
    r.put("denseWeight", retrieval.denseWeight());
    r.put("candidates", retrieval.candidates());
    r.put("maxLexemeShare", retrieval.maxLexemeShare());
    r.put("rerank", retrieval.rerank());
    ObjectNode k = root.putObject("reranker");
    k.put("kind", reranker.kind().value());
    if (reranker.artifact() != null) {
      k.put("artifact", reranker.artifact());
    }
    if (reranker.linearModel() != null) {
      k.put("linearModel", reranker.linearModel().toString());
    }
    CrossEncoderReranker.Settings ce = reranker.crossEncoder();
    if (ce != null) {
      ObjectNode c = k.putObject("crossEncoder");
      c.put("dir", ce.dir().toString());
      c.put("name", ce.name());
      c.put("maxLength", ce.maxLength());
      c.put("topN", ce.topN());
      c.put("batchSize", ce.batchSize());
      c.put("threads", ce.threads());
    }
    root.put("answerModel", answerModel);
    return root.toString();
  }

  /** A stored bundle. */
  public static ModelBundle fromJson(String json) {
    try {
      JsonNode root = JSON.readTree(json);
      JsonNode r = root.path("retrieval");
      RetrievalSettings retrieval =
          new RetrievalSettings(
              RetrievalSettings.Mode.valueOf(r.path("mode").asText().toUpperCase(Locale.ROOT)),
              r.path("denseWeight").asDouble(),
              r.path("candidates").asInt(),
              r.path("maxLexemeShare").asDouble(),
              r.path("rerank").asBoolean());
      JsonNode k = root.path("reranker");
      JsonNode c = k.path("crossEncoder");
      CrossEncoderReranker.Settings crossEncoder =
          c.isMissingNode()
              ? null
              : new CrossEncoderReranker.Settings(
                  Path.of(c.path("dir").asText()),
                  c.path("name").asText(null),
                  c.path("maxLength").asInt(),
                  c.path("topN").asInt(),
                  c.path("batchSize").asInt(),
                  c.path("threads").asInt());
      RerankerSettings reranker =
          new RerankerSettings(
              Rerankers.Kind.parse(k.path("kind").asText()),
              k.hasNonNull("linearModel") ? Path.of(k.path("linearModel").asText()) : null,
              crossEncoder,
              k.path("artifact").asText(null));
      return new ModelBundle(retrieval, reranker, root.path("answerModel").asText(null));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a stored model bundle is not valid JSON", e);
    }
  }
}
