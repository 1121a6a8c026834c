package io.engram.core.rollout;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The rollout's metrics in the API process, per arm and model version (both low-cardinality: a few
 * versions live at once), for the dashboard beside the workflow's own judgement.
 */
public final class RolloutMetrics {
  /** Queries routed during a rollout, by {@code arm} and {@code model_version}. */
  public static final String QUERIES = "engram.rollout.queries";

  /** Latency of routed queries, by {@code arm} and {@code model_version}. */
  public static final String LATENCY = "engram.rollout.query";

  /** Queries an arm failed (the champion answered instead), by {@code arm} and version. */
  public static final String ERRORS = "engram.rollout.errors";

  /**
   * Shadow comparisons by {@code outcome}: {@code compared}, {@code failed}, {@code dropped} (the
   * queue was full) or {@code skipped} (the rollout had left shadow when its turn came).
   */
  public static final String SHADOW = "engram.rollout.shadow";

  /** Overlap of the two top-10s of each shadow comparison. */
  public static final String OVERLAP = "engram.rollout.shadow.overlap";

  /**
   * The phase of each collection's rollout, by {@code collection} and {@code phase}: 1 for the
   * phase its running rollout is in ({@code decided} when none runs), 0 for the others. The
   * dashboard's phase panel and the EngramRolloutStuck alert read it.
   */
  public static final String PHASE = "engram.rollout.phase";

  private static final List<String> PHASES =
      List.of(Phase.SHADOW, Phase.CANARY, Phase.AWAITING_APPROVAL, Phase.DECIDED);

  private final MeterRegistry registry;
  private final DistributionSummary overlap;
  private final MultiGauge phases;

  public RolloutMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.overlap =
        DistributionSummary.builder(OVERLAP)
            .description("shared documents of the champion's and the candidate's top-10s, over 10")
            .register(registry);
    this.phases =
        MultiGauge.builder(PHASE)
            .description("1 for the phase each collection's rollout is in, 0 for the others")
            .register(registry);
  }

  /** Sets the phase gauge from each collection's current phase (collections gone drop out). */
  void phases(Map<String, String> byCollection) {
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    byCollection.forEach(
        (collection, current) -> {
          for (String phase : PHASES) {
            rows.add(
                MultiGauge.Row.of(
                    Tags.of("collection", collection, "phase", phase),
                    phase.equals(current) ? 1 : 0));
          }
        });
    phases.register(rows, true);
  }

  void served(String arm, String modelVersion, double millis) {
    Counter.builder(QUERIES)
        .description("queries routed during a rollout")
        .baseUnit("queries")
        .tag("arm", arm)
        .tag("model_version", modelVersion)
        .register(registry)
        .increment();
    Timer.builder(LATENCY)
        .description("latency of queries routed during a rollout")
        .tag("arm", arm)
        .tag("model_version", modelVersion)
        .register(registry)
        .record(Duration.ofNanos((long) (millis * 1e6)));
  }

  void failed(String arm, String modelVersion) {
    Counter.builder(ERRORS)
        .description("queries an arm failed during a rollout (the champion answered instead)")
        .tag("arm", arm)
        .tag("model_version", modelVersion)
        .register(registry)
        .increment();
  }

  void shadow(String outcome) {
    Counter.builder(SHADOW)
        .description("shadow comparisons by outcome: compared, failed, dropped or skipped")
        .tag("outcome", outcome)
        .register(registry)
        .increment();
  }

  void overlap(double value) {
    overlap.record(value);
  }
}
