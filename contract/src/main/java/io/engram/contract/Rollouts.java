package io.engram.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.Map;

/**
 * {@code /v1/rollouts}: progressive delivery of a registered model version. A rollout mirrors a
 * share of live queries to the candidate (shadow), then serves it to growing shares of
 * conversations (canary steps) while another share gets both versions' rankings interleaved; it
 * judges errors, p95 latency and empty results against the champion and the interleaved clicks by a
 * sequential test, then promotes the candidate ({@code champion} moves, the old one becomes {@code
 * previous}), rolls it back (archived, the alias never moved) or keeps the champion (no difference
 * within the budget). A rollout is named by its workflow id, {@code rollout-<collection>-v<N>}.
 */
public final class Rollouts {
  /** The longest reason a start or a signal may give, in UTF-16 characters. */
  public static final int MAX_REASON_CHARS = 500;

  /** The most rollouts one list returns. */
  public static final int MAX_LIST = 100;

  /** The signals a running rollout takes: {@code POST /v1/rollouts/{id}:SIGNAL}. */
  public static final List<String> SIGNALS = List.of("approve", "abort", "pause", "resume");

  private Rollouts() {}

  /**
   * Starts a rollout ({@code POST /v1/rollouts}).
   *
   * @param collection the collection
   * @param version the registered version to roll out
   * @param reason why, for the audit
   * @param plan changes to the profile's plan; absent fields keep it
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record StartRollout(
      @NotBlank @Size(max = 63, message = SizeMessages.AT_MOST_CHARS) String collection,
      @NotNull @Min(1) Integer version,
      @Size(max = MAX_REASON_CHARS, message = SizeMessages.AT_MOST_CHARS) String reason,
      @Valid Plan plan) {}

  /**
   * A rollout's plan, or the changes a starter makes to the profile's ({@code ENGRAM_ROLLOUT_*});
   * durations in milliseconds.
   *
   * @param shadowShare share of the champion's queries mirrored to the candidate in shadow
   * @param shadowMinQueries shadow comparisons needed before shadow may end
   * @param steps the candidate's share of new conversations per canary step, increasing
   * @param stepMinQueries queries the candidate must serve in a step before it may end
   * @param interleaveShare share of new conversations given both rankings interleaved
   * @param maxErrorRate the most errors per query the candidate may show
   * @param p95Ratio the candidate's p95 may be at most this times the champion's ...
   * @param p95SlackMs ... plus this
   * @param maxEmptyIncrease how much more often the candidate may return nothing
   * @param alpha the sequential test's false-positive bound
   * @param maxComparisons decisive interleaved comparisons after which an undecided rollout keeps
   *     the champion
   * @param timeBudgetMs the time after which an undecided rollout keeps the champion
   * @param checkIntervalMs how often the figures are checked
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Plan(
      @DecimalMin("0") @DecimalMax("1") Double shadowShare,
      @Min(0) Integer shadowMinQueries,
      @Min(0) Long shadowBakeMs,
      @Size(min = 1, max = 10, message = SizeMessages.ITEMS_BETWEEN) List<@NotNull Double> steps,
      @Min(0) Long stepBakeMs,
      @Min(0) Integer stepMinQueries,
      @DecimalMin("0") @DecimalMax("1") Double interleaveShare,
      @DecimalMin("0") @DecimalMax("1") Double maxErrorRate,
      @DecimalMin("1") Double p95Ratio,
      @DecimalMin("0") Double p95SlackMs,
      @DecimalMin("0") @DecimalMax("1") Double maxEmptyIncrease,
      @DecimalMin("0") @DecimalMax("0.5") Double alpha,
      @Min(1) Integer maxComparisons,
      @Min(1) Long timeBudgetMs,
      @Min(100) Long checkIntervalMs) {}

  /**
   * A signal's or an undo's body; optional.
   *
   * @param reason why, for the audit
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Action(
      @Size(max = MAX_REASON_CHARS, message = SizeMessages.AT_MOST_CHARS) String reason) {}

  /** Rollouts, newest first. */
  public record RolloutList(List<RolloutView> rollouts) {
    public RolloutList {
      rollouts = rollouts == null ? List.of() : List.copyOf(rollouts);
    }
  }

  /**
   * One rollout.
   *
   * @param id its workflow id, which the signals and the undo name
   * @param rolloutId its row
   * @param champion the version serving when it began
   * @param candidate the version rolled out
   * @param trigger {@code manual} or {@code staged}
   * @param status {@code starting} (its workflow has not stored it yet), {@code running}, {@code
   *     promoted}, {@code rolled_back}, {@code kept}, {@code undone} or {@code superseded} (its
   *     candidate was made champion by hand while it ran)
   * @param phase {@code shadow}, {@code canary}, {@code awaiting_approval} or {@code decided}
   * @param step the canary step from 1; 0 outside the canary
   * @param shares the routing now: {@code shadow}, {@code candidate} and {@code interleaved}
   * @param lastCheck the latest check's figures: verdict, reason, per-arm figures of the phase and
   *     the whole rollout, interleaved comparisons, the sequential test, clicks, exposure
   * @param events the audit, oldest first; only in {@code GET /v1/rollouts/{id}}
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record RolloutView(
      String id,
      Long rolloutId,
      String collection,
      Integer champion,
      int candidate,
      String trigger,
      String actor,
      String reason,
      String status,
      String phase,
      int step,
      boolean paused,
      Map<String, Double> shares,
      String decisionReason,
      Plan plan,
      Map<String, Object> lastCheck,
      String startedAt,
      String phaseStartedAt,
      String endedAt,
      String retainUntil,
      List<Event> events) {}

  /**
   * One audit row.
   *
   * @param kind {@code phase}, {@code signal}, {@code check}, {@code decision} or {@code undo}
   * @param figures the figures it was decided on, when any
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Event(
      String kind,
      String phase,
      String detail,
      String actor,
      Map<String, Object> figures,
      String at) {}

  /**
   * A fault switch ({@code PUT /v1/faults}, only where {@code ENGRAM_FAULTS_ENABLED=true}): latency
   * added to every retrieval of one model version, as the rollout simulator's slow candidate.
   *
   * @param modelVersion the version's label, e.g. {@code scifact/v3}
   * @param latencyMs the latency to add; 0 removes the switch
   */
  public record Fault(
      @NotBlank @Size(max = 128, message = SizeMessages.AT_MOST_CHARS) String modelVersion,
      @NotNull @Min(0) Long latencyMs) {}

  /** The fault switches set: latency in milliseconds by model version. */
  public record Faults(boolean enabled, Map<String, Long> latencyMs) {}
}
