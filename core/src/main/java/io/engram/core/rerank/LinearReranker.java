package io.engram.core.rerank;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.engram.core.retrieval.Candidate;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A learned linear scorer over {@link RerankFeatures}: each feature is standardized with the mean
 * and standard deviation seen in training, and the candidates are ordered by the weighted sum. The
 * model (name, feature names, standardization, weights and how it was trained) is a small JSON
 * document, written by the trainer and read by {@link #fromResource} or {@link #fromFile}.
 *
 * <p>Immutable and thread-safe. The reranked score is the logistic of the linear score, so it stays
 * in (0, 1) like the fused score it replaces.
 */
public final class LinearReranker implements Reranker {

  /** The model trained on SciFact's train split, bundled with core. */
  public static final String DEFAULT_RESOURCE = "rerank/linear-scifact-v1.json";

  /** Version of the JSON layout written by {@link #toJson}. */
  public static final int FORMAT = 1;

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final String name;
  private final double[] mean;
  private final double[] std;
  private final double[] weights;
  private final Map<String, Object> training;

  /**
   * @param name name and version, e.g. {@code linear-scifact-v1}
   * @param mean per-feature mean, in {@link RerankFeatures#NAMES} order
   * @param std per-feature standard deviation (positive)
   * @param weights per-feature weight on the standardized feature
   * @param training how the model was trained (dataset, split, metrics, hyper-parameters)
   * @throws IllegalArgumentException when a vector has the wrong length or a value is not finite
   */
  public LinearReranker(
      String name, double[] mean, double[] std, double[] weights, Map<String, Object> training) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("a reranker model needs a name");
    }
    this.name = name;
    this.mean = checked("mean", mean);
    this.std = checked("std", std);
    this.weights = checked("weights", weights);
    for (int f = 0; f < std.length; f++) {
      if (!(std[f] > 0)) {
        throw new IllegalArgumentException(
            "std of feature " + RerankFeatures.NAMES.get(f) + " must be positive, got " + std[f]);
      }
    }
    this.training =
        training == null
            ? Map.of()
            : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(training));
  }

  private static double[] checked(String what, double[] values) {
    if (values == null || values.length != RerankFeatures.COUNT) {
      throw new IllegalArgumentException(
          what
              + " must have "
              + RerankFeatures.COUNT
              + " values (one per feature), got "
              + (values == null ? "none" : values.length));
    }
    for (double v : values) {
      if (!Double.isFinite(v)) {
        throw new IllegalArgumentException(what + " holds a value that is not finite: " + v);
      }
    }
    return values.clone();
  }

  /** Loads a model from the class path, e.g. {@link #DEFAULT_RESOURCE}. */
  public static LinearReranker fromResource(String resource) {
    try (InputStream in = LinearReranker.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException("no reranker model on the class path at " + resource);
      }
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), resource);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read reranker model " + resource, e);
    }
  }

  /** Loads a model from a JSON file written by the trainer. */
  public static LinearReranker fromFile(Path path) {
    try {
      return parse(Files.readString(path), path.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("could not read reranker model " + path, e);
    }
  }

  /**
   * Parses a model document.
   *
   * @param origin where it came from, for error messages
   * @throws IllegalArgumentException when the document is not valid JSON, lacks a field, or was
   *     trained on other features than {@link RerankFeatures#NAMES}
   */
  public static LinearReranker parse(String json, String origin) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "reranker model " + origin + " is not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("reranker model " + origin + " must be a JSON object");
    }
    int format = root.path("format").asInt(-1);
    if (format != FORMAT) {
      throw new IllegalArgumentException(
          "reranker model " + origin + " has format " + format + ", expected " + FORMAT);
    }
    List<String> features = new ArrayList<>();
    for (JsonNode f : array(root, "features", origin)) {
      features.add(f.asText());
    }
    if (!features.equals(RerankFeatures.NAMES)) {
      throw new IllegalArgumentException(
          "reranker model "
              + origin
              + " was trained on "
              + features.size()
              + " features "
              + features
              + " but this build computes "
              + RerankFeatures.COUNT
              + " "
              + RerankFeatures.NAMES
              + "; retrain it");
    }
    Map<String, Object> training =
        root.has("training")
            ? JSON.convertValue(
                root.get("training"),
                JSON.getTypeFactory()
                    .constructMapType(LinkedHashMap.class, String.class, Object.class))
            : Map.of();
    String name = root.path("name").asText("");
    try {
      return new LinearReranker(
          name,
          doubles(root, "mean", origin),
          doubles(root, "std", origin),
          doubles(root, "weights", origin),
          training);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("reranker model " + origin + ": " + e.getMessage(), e);
    }
  }

  private static ArrayNode array(JsonNode root, String field, String origin) {
    JsonNode node = root.get(field);
    if (node == null || !node.isArray()) {
      throw new IllegalArgumentException(
          "reranker model " + origin + " needs an array '" + field + "'");
    }
    return (ArrayNode) node;
  }

  private static double[] doubles(JsonNode root, String field, String origin) {
    ArrayNode node = array(root, field, origin);
    double[] out = new double[node.size()];
    for (int k = 0; k < out.length; k++) {
      if (!node.get(k).isNumber()) {
        throw new IllegalArgumentException(
            "reranker model " + origin + ": '" + field + "' must hold numbers only");
      }
      out[k] = node.get(k).asDouble();
    }
    return out;
  }

  /** The model as the JSON document {@link #parse} reads. */
  public String toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    root.put("name", name);
    ArrayNode features = root.putArray("features");
    RerankFeatures.NAMES.forEach(features::add);
    ArrayNode m = root.putArray("mean");
    ArrayNode s = root.putArray("std");
    ArrayNode w = root.putArray("weights");
    for (int f = 0; f < RerankFeatures.COUNT; f++) {
      m.add(mean[f]);
      s.add(std[f]);
      w.add(weights[f]);
    }
    root.set("training", JSON.valueToTree(training));
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of numbers and strings always serializes", e);
    }
  }

  @Override
  public String name() {
    return name;
  }

  /** The weights on the standardized features, in {@link RerankFeatures#NAMES} order. */
  public double[] weights() {
    return weights.clone();
  }

  /** How the model was trained, as stored in its document. */
  public Map<String, Object> training() {
    return training;
  }

  /** The linear score of one feature row. */
  public double score(double[] features) {
    double s = 0;
    for (int f = 0; f < weights.length; f++) {
      s += weights[f] * (features[f] - mean[f]) / std[f];
    }
    return s;
  }

  /** Analyses the passages' titles and texts into the shared passage cache. */
  @Override
  public void prepare(List<Candidate> passages) {
    RerankFeatures.prepare(passages);
  }

  /** Candidates ordered by the model; ties keep the fusion order. */
  @Override
  public List<Candidate> rerank(String query, List<Candidate> candidates) {
    int n = candidates.size();
    if (n == 0) {
      return List.of();
    }
    double[][] rows = RerankFeatures.extract(query, candidates);
    double[] scores = new double[n];
    for (int i = 0; i < n; i++) {
      scores[i] = score(rows[i]);
    }
    return Logits.order(candidates, scores);
  }

  @Override
  public String toString() {
    return "LinearReranker[" + name + "]";
  }
}
