package io.engram.core.tuning;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The parameters a study searches, in order: floats (optionally on a log scale), integers on a grid
 * and categorical choices of strings. Values are {@link Double}, {@link Integer} and {@link String}
 * respectively (see {@link Params}).
 */
public record SearchSpace(List<Param> params) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public SearchSpace {
    params = List.copyOf(params);
    if (params.isEmpty()) {
      throw new IllegalArgumentException("a search space needs at least one parameter");
    }
    Set<String> names = new HashSet<>();
    for (Param p : params) {
      if (!names.add(p.name())) {
        throw new IllegalArgumentException("parameter '" + p.name() + "' is declared twice");
      }
    }
  }

  public static SearchSpace of(Param... params) {
    return new SearchSpace(List.of(params));
  }

  /** One searched parameter. */
  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
  @JsonSubTypes({
    @JsonSubTypes.Type(value = FloatParam.class, name = "float"),
    @JsonSubTypes.Type(value = IntParam.class, name = "int"),
    @JsonSubTypes.Type(value = CategoricalParam.class, name = "categorical")
  })
  public sealed interface Param permits FloatParam, IntParam, CategoricalParam {
    String name();

    /**
     * The value as this parameter's type ({@link Double}, {@link Integer} or {@link String}), or
     * empty when it is of another kind or outside the parameter's range.
     */
    Optional<Object> coerce(Object value);

    /** What a value must be, in words: "an integer from 1 to 5", "one of hybrid, dense". */
    String expected();
  }

  /** A real number in {@code [low, high]}; with {@code log}, sampled uniformly in its logarithm. */
  public record FloatParam(String name, double low, double high, boolean log) implements Param {
    public FloatParam {
      requireName(name);
      if (!Double.isFinite(low) || !Double.isFinite(high) || low > high) {
        throw new IllegalArgumentException(name + ": needs finite low <= high");
      }
      if (log && low <= 0) {
        throw new IllegalArgumentException(name + ": a log scale needs low > 0");
      }
    }

    @Override
    public Optional<Object> coerce(Object value) {
      if (value instanceof Number n && !(value instanceof Float)) {
        double v = n.doubleValue();
        if (v >= low && v <= high) {
          return Optional.of(v);
        }
      }
      return Optional.empty();
    }

    @Override
    public String expected() {
      return "a number from " + low + " to " + high;
    }
  }

  /**
   * An integer in {@code [low, high]} on the grid {@code low + k * step}; with {@code log} (step 1
   * only, as in Optuna), sampled uniformly in its logarithm.
   */
  public record IntParam(String name, int low, int high, int step, boolean log) implements Param {
    public IntParam {
      requireName(name);
      if (low > high || step < 1) {
        throw new IllegalArgumentException(name + ": needs low <= high and step >= 1");
      }
      if (((long) high - low) % step != 0) {
        throw new IllegalArgumentException(name + ": high - low must be a multiple of step");
      }
      if (log && (low < 1 || step != 1)) {
        throw new IllegalArgumentException(name + ": a log scale needs low >= 1 and step 1");
      }
    }

    @Override
    public Optional<Object> coerce(Object value) {
      if (value instanceof Number n && !(value instanceof Float)) {
        double v = n.doubleValue();
        if (v == Math.rint(v) && v >= low && v <= high && ((long) v - low) % step == 0) {
          return Optional.of((int) v);
        }
      }
      return Optional.empty();
    }

    @Override
    public String expected() {
      return "an integer from " + low + " to " + high + (step > 1 ? " in steps of " + step : "");
    }

    /** How many values the grid has. */
    int size() {
      return (high - low) / step + 1;
    }
  }

  /** One of a list of strings. */
  public record CategoricalParam(String name, List<String> choices) implements Param {
    public CategoricalParam {
      requireName(name);
      choices = List.copyOf(choices);
      if (choices.isEmpty() || new HashSet<>(choices).size() != choices.size()) {
        throw new IllegalArgumentException(name + ": needs distinct choices");
      }
    }

    @Override
    public Optional<Object> coerce(Object value) {
      return value instanceof String s && choices.contains(s) ? Optional.of(s) : Optional.empty();
    }

    @Override
    public String expected() {
      return "one of " + String.join(", ", choices);
    }
  }

  /** A value as a user wrote it: a whole number without ".0", a string in quotes. */
  private static String shown(Object raw) {
    if (raw instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Long.toString(d.longValue());
    }
    return raw instanceof String text ? "'" + text + "'" : String.valueOf(raw);
  }

  public static FloatParam uniform(String name, double low, double high) {
    return new FloatParam(name, low, high, false);
  }

  public static FloatParam logUniform(String name, double low, double high) {
    return new FloatParam(name, low, high, true);
  }

  public static IntParam integer(String name, int low, int high, int step) {
    return new IntParam(name, low, high, step, false);
  }

  public static CategoricalParam categorical(String name, String... choices) {
    return new CategoricalParam(name, List.of(choices));
  }

  public Optional<Param> param(String name) {
    return params.stream().filter(p -> p.name().equals(name)).findFirst();
  }

  /**
   * Checks a full parameter set against the space and gives each value its parameter's type.
   *
   * @throws IllegalArgumentException when a parameter is missing, unknown or out of range
   */
  public Params validate(Map<String, ?> values) {
    Params partial = validatePartial(values);
    if (partial.size() != params.size()) {
      throw new IllegalArgumentException(
          "parameters " + values.keySet() + " do not cover the search space " + names());
    }
    return partial;
  }

  /**
   * Like {@link #validate} for a set that may leave parameters out (an enqueued trial's fixed
   * parameters; the sampler chooses the rest).
   */
  public Params validatePartial(Map<String, ?> values) {
    Map<String, Object> typed = new LinkedHashMap<>();
    for (Param p : params) {
      if (values.containsKey(p.name())) {
        Object raw = values.get(p.name());
        Object v =
            p.coerce(raw)
                .orElseThrow(
                    () ->
                        new IllegalArgumentException(
                            "parameter '"
                                + p.name()
                                + "' cannot be "
                                + shown(raw)
                                + ": expected "
                                + p.expected()));
        typed.put(p.name(), v);
      }
    }
    for (String name : values.keySet()) {
      if (param(name).isEmpty()) {
        throw new IllegalArgumentException("parameter '" + name + "' is not in the search space");
      }
    }
    return new Params(typed);
  }

  /**
   * Like {@link #validatePartial} for values written as text, as a person pins them ({@code
   * denseWeight=0.6}): a float or integer parameter's text is read as a number first.
   *
   * @throws IllegalArgumentException when a parameter is unknown, its text not a number where one
   *     is needed, or its value out of range
   */
  public Params parsePartial(Map<String, String> text) {
    Map<String, Object> values = new LinkedHashMap<>();
    text.forEach(
        (name, value) ->
            values.put(
                name,
                param(name).filter(p -> !(p instanceof CategoricalParam)).isPresent()
                    ? number(value)
                    : value));
    return validatePartial(values);
  }

  /** The number {@code text} spells, or the text itself, which no numeric parameter accepts. */
  private static Object number(String text) {
    try {
      // Stricter than Double.parseDouble, which also reads "NaN", "0x1p3" and "0.5f".
      return new BigDecimal(text.strip()).doubleValue();
    } catch (NumberFormatException e) {
      return text;
    }
  }

  /**
   * The values of {@code values} that this space accepts, the others dropped: how a previous
   * study's best parameters are carried into a space that may have changed since.
   */
  public Params project(Params values) {
    Map<String, Object> kept = new LinkedHashMap<>();
    for (Param p : params) {
      if (values.values().containsKey(p.name())) {
        p.coerce(values.values().get(p.name())).ifPresent(v -> kept.put(p.name(), v));
      }
    }
    return new Params(kept);
  }

  public List<String> names() {
    return params.stream().map(Param::name).toList();
  }

  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise search space", e);
    }
  }

  public static SearchSpace fromJson(String json) {
    try {
      return JSON.readValue(json, SearchSpace.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("unreadable search space: " + e.getOriginalMessage(), e);
    }
  }

  private static void requireName(String name) {
    if (Objects.requireNonNull(name, "name").isBlank()) {
      throw new IllegalArgumentException("a parameter needs a name");
    }
  }
}
