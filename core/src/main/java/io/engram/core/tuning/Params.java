package io.engram.core.tuning;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One trial's parameter values by name: {@link Double} for float parameters, {@link Integer} for
 * integer ones, {@link String} for categorical ones. As JSON it is a plain object ({@code
 * {"weight":0.35,"candidates":120,"reranker":"linear"}}); every double is written in the shortest
 * form that reads back to the same double, so a value survives JSON, PostgreSQL's jsonb and
 * Temporal's payloads exactly. Reading JSON back through {@link SearchSpace#validate} restores the
 * types (a float parameter written as {@code 20.0} or {@code 20} is a {@link Double} again).
 */
public record Params(Map<String, Object> values) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public Params {
    Map<String, Object> copy = new LinkedHashMap<>();
    values.forEach(
        (k, v) -> {
          Objects.requireNonNull(k, "name");
          if (!(v instanceof Double d && Double.isFinite(d))
              && !(v instanceof Integer)
              && !(v instanceof String)) {
            throw new IllegalArgumentException(
                "parameter '" + k + "' must be a finite Double, an Integer or a String: " + v);
          }
          copy.put(k, v);
        });
    values = Collections.unmodifiableMap(copy);
  }

  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static Params of(Map<String, Object> values) {
    return new Params(values);
  }

  @JsonValue
  @Override
  public Map<String, Object> values() {
    return values;
  }

  public int size() {
    return values.size();
  }

  public boolean has(String name) {
    return values.containsKey(name);
  }

  public double getDouble(String name) {
    return ((Number) require(name)).doubleValue();
  }

  public int getInt(String name) {
    return (Integer) require(name);
  }

  public String getString(String name) {
    return (String) require(name);
  }

  /** These values with {@code other}'s added where this set has none. */
  public Params withDefaults(Params other) {
    Map<String, Object> merged = new LinkedHashMap<>(other.values);
    merged.putAll(values);
    return new Params(merged);
  }

  public String toJson() {
    try {
      return JSON.writeValueAsString(values);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise parameters", e);
    }
  }

  /** Reads a JSON object of parameter values, checked and typed by {@code space}. */
  public static Params fromJson(String json, SearchSpace space) {
    return space.validate(readRaw(json));
  }

  /** Reads a JSON object of parameter values that may cover only part of {@code space}. */
  static Params fromJsonPartial(String json, SearchSpace space) {
    return space.validatePartial(readRaw(json));
  }

  private static Map<String, Object> readRaw(String json) {
    try {
      return JSON.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() {});
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("unreadable parameters: " + e.getOriginalMessage(), e);
    }
  }

  private Object require(String name) {
    Object v = values.get(name);
    if (v == null) {
      throw new IllegalArgumentException("no parameter '" + name + "'");
    }
    return v;
  }
}
