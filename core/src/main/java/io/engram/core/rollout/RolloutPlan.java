package io.engram.core.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How one rollout moves and judges: the profile's defaults ({@code ENGRAM_ROLLOUT_*}) with whatever
 * the starter overrode (the traffic simulator compresses the timings). Stored with the rollout, so
 * a restarted API or worker judges by the plan the rollout began with.
 *
 * @param shadowShare share of the champion's queries mirrored to the candidate in shadow
 * @param shadowMinQueries shadow comparisons needed before shadow may end
 * @param shadowBake the least time in shadow
 * @param steps the candidate's share of new conversations in each canary step, increasing
 * @param stepBake the least time in each canary step
 * @param stepMinQueries queries the candidate must serve in a step before it may end
 * @param interleaveShare share of new conversations that get both versions' rankings interleaved
 *     (team draft) during the canary
 * @param maxErrorRate the most errors per query the candidate may show
 * @param p95Ratio the candidate's p95 latency may be at most this times the champion's ...
 * @param p95SlackMs ... plus this many milliseconds
 * @param maxEmptyIncrease how much the candidate's share of empty results may exceed the champion's
 * @param alpha the sequential test's false-positive bound (always valid, however often it is read)
 * @param maxComparisons the traffic budget: decisive interleaved comparisons after which an
 *     undecided test ends as "no difference"
 * @param timeBudget the longest a rollout runs before an undecided test ends as "no difference"
 * @param checkInterval how often the workflow checks the figures
 */
public record RolloutPlan(
    double shadowShare,
    int shadowMinQueries,
    Duration shadowBake,
    List<Double> steps,
    Duration stepBake,
    int stepMinQueries,
    double interleaveShare,
    double maxErrorRate,
    double p95Ratio,
    double p95SlackMs,
    double maxEmptyIncrease,
    double alpha,
    int maxComparisons,
    Duration timeBudget,
    Duration checkInterval) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public RolloutPlan {
    share("shadowShare", shadowShare);
    share("interleaveShare", interleaveShare);
    share("maxErrorRate", maxErrorRate);
    share("maxEmptyIncrease", maxEmptyIncrease);
    Objects.requireNonNull(steps, "steps");
    if (steps.isEmpty() || steps.size() > 10) {
      throw new IllegalArgumentException("steps must name 1 to 10 shares, got " + steps.size());
    }
    double previous = 0;
    for (double s : steps) {
      if (!(s > previous && s <= 1)) {
        throw new IllegalArgumentException(
            "steps must increase within (0, 1], got "
                + steps.stream().map(String::valueOf).toList());
      }
      previous = s;
    }
    steps = List.copyOf(steps);
    if (steps.get(steps.size() - 1) + interleaveShare > 1) {
      throw new IllegalArgumentException(
          "the last step's share plus interleaveShare must not exceed 1");
    }
    if (shadowMinQueries < 0 || stepMinQueries < 0 || maxComparisons < 1) {
      throw new IllegalArgumentException(
          "shadowMinQueries and stepMinQueries must not be negative, maxComparisons positive");
    }
    if (!(p95Ratio >= 1) || !(p95SlackMs >= 0)) {
      throw new IllegalArgumentException("p95Ratio must be at least 1 and p95SlackMs not negative");
    }
    if (!(alpha > 0 && alpha < 1)) {
      throw new IllegalArgumentException("alpha must be in (0, 1), got " + alpha);
    }
    notNegative("shadowBake", shadowBake);
    notNegative("stepBake", stepBake);
    if (timeBudget == null || checkInterval == null) {
      throw new IllegalArgumentException("timeBudget and checkInterval are required");
    }
    if (timeBudget.isNegative() || timeBudget.isZero() || checkInterval.toMillis() < 100) {
      throw new IllegalArgumentException(
          "timeBudget must be positive and checkInterval at least 100 ms");
    }
  }

  private static void share(String name, double value) {
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException(name + " must be in [0, 1], got " + value);
    }
  }

  private static void notNegative(String name, Duration d) {
    if (d == null || d.isNegative()) {
      throw new IllegalArgumentException(name + " must be a duration of at least 0");
    }
  }

  /**
   * What a starter may change of the profile's plan; a null field keeps the default. Validated when
   * applied, as a whole plan.
   */
  public record Overrides(
      Double shadowShare,
      Integer shadowMinQueries,
      Duration shadowBake,
      List<Double> steps,
      Duration stepBake,
      Integer stepMinQueries,
      Double interleaveShare,
      Double maxErrorRate,
      Double p95Ratio,
      Double p95SlackMs,
      Double maxEmptyIncrease,
      Double alpha,
      Integer maxComparisons,
      Duration timeBudget,
      Duration checkInterval) {

    public static final Overrides NONE =
        new Overrides(
            null, null, null, null, null, null, null, null, null, null, null, null, null, null,
            null);

    /**
     * Overrides written as a stored plan is ({@link #toJson}: the same names, durations in
     * milliseconds), as the API's and the workflow's records carry them; an absent or null field
     * keeps the default.
     */
    public static Overrides fromJson(JsonNode n) {
      if (n == null || n.isNull()) {
        return NONE;
      }
      List<Double> steps = null;
      if (n.hasNonNull("steps")) {
        steps = new ArrayList<>();
        for (JsonNode step : n.get("steps")) {
          steps.add(step.asDouble());
        }
      }
      return new Overrides(
          decimal(n, "shadowShare"),
          integer(n, "shadowMinQueries"),
          millis(n, "shadowBakeMs"),
          steps,
          millis(n, "stepBakeMs"),
          integer(n, "stepMinQueries"),
          decimal(n, "interleaveShare"),
          decimal(n, "maxErrorRate"),
          decimal(n, "p95Ratio"),
          decimal(n, "p95SlackMs"),
          decimal(n, "maxEmptyIncrease"),
          decimal(n, "alpha"),
          integer(n, "maxComparisons"),
          millis(n, "timeBudgetMs"),
          millis(n, "checkIntervalMs"));
    }

    /** Overrides from any record or map whose fields are named as {@link #fromJson} reads them. */
    public static Overrides of(Object named) {
      return named == null ? NONE : fromJson(JSON.valueToTree(named));
    }

    private static Double decimal(JsonNode n, String field) {
      return n.hasNonNull(field) ? n.get(field).asDouble() : null;
    }

    private static Integer integer(JsonNode n, String field) {
      return n.hasNonNull(field) ? n.get(field).asInt() : null;
    }

    private static Duration millis(JsonNode n, String field) {
      return n.hasNonNull(field) ? Duration.ofMillis(n.get(field).asLong()) : null;
    }
  }

  /**
   * This plan with {@code o}'s fields over it.
   *
   * @throws IllegalArgumentException when the result is not a valid plan
   */
  public RolloutPlan with(Overrides o) {
    if (o == null) {
      return this;
    }
    return new RolloutPlan(
        or(o.shadowShare(), shadowShare),
        or(o.shadowMinQueries(), shadowMinQueries),
        or(o.shadowBake(), shadowBake),
        or(o.steps(), steps),
        or(o.stepBake(), stepBake),
        or(o.stepMinQueries(), stepMinQueries),
        or(o.interleaveShare(), interleaveShare),
        or(o.maxErrorRate(), maxErrorRate),
        or(o.p95Ratio(), p95Ratio),
        or(o.p95SlackMs(), p95SlackMs),
        or(o.maxEmptyIncrease(), maxEmptyIncrease),
        or(o.alpha(), alpha),
        or(o.maxComparisons(), maxComparisons),
        or(o.timeBudget(), timeBudget),
        or(o.checkInterval(), checkInterval));
  }

  private static <T> T or(T value, T fallback) {
    return value == null ? fallback : value;
  }

  /** The candidate's share of new conversations in canary step {@code step} (from 1). */
  public double share(int step) {
    return steps.get(step - 1);
  }

  /** The plan as stored, durations in milliseconds. */
  public String toJson() {
    ObjectNode n = JSON.createObjectNode();
    n.put("shadowShare", shadowShare);
    n.put("shadowMinQueries", shadowMinQueries);
    n.put("shadowBakeMs", shadowBake.toMillis());
    steps.forEach(n.putArray("steps")::add);
    n.put("stepBakeMs", stepBake.toMillis());
    n.put("stepMinQueries", stepMinQueries);
    n.put("interleaveShare", interleaveShare);
    n.put("maxErrorRate", maxErrorRate);
    n.put("p95Ratio", p95Ratio);
    n.put("p95SlackMs", p95SlackMs);
    n.put("maxEmptyIncrease", maxEmptyIncrease);
    n.put("alpha", alpha);
    n.put("maxComparisons", maxComparisons);
    n.put("timeBudgetMs", timeBudget.toMillis());
    n.put("checkIntervalMs", checkInterval.toMillis());
    return n.toString();
  }

  /** A stored plan. */
  public static RolloutPlan fromJson(String json) {
    try {
      JsonNode n = JSON.readTree(json);
      List<Double> steps = new ArrayList<>();
      n.path("steps").forEach(s -> steps.add(s.asDouble()));
      return new RolloutPlan(
          n.path("shadowShare").asDouble(),
          n.path("shadowMinQueries").asInt(),
          Duration.ofMillis(n.path("shadowBakeMs").asLong()),
          steps,
          Duration.ofMillis(n.path("stepBakeMs").asLong()),
          n.path("stepMinQueries").asInt(),
          n.path("interleaveShare").asDouble(),
          n.path("maxErrorRate").asDouble(),
          n.path("p95Ratio").asDouble(),
          n.path("p95SlackMs").asDouble(),
          n.path("maxEmptyIncrease").asDouble(),
          n.path("alpha").asDouble(),
          n.path("maxComparisons").asInt(),
          Duration.ofMillis(n.path("timeBudgetMs").asLong()),
          Duration.ofMillis(n.path("checkIntervalMs").asLong()));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a stored rollout plan is not valid JSON", e);
    }
  }
}
