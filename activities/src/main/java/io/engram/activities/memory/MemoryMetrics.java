package io.engram.activities.memory;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Memory lifecycle metrics of the worker. The only tag is the event (a handful of values), never a
 * session, user or fact id.
 */
public final class MemoryMetrics {
  /** Facts by lifecycle event: {@code stored|merged|superseded|promoted|expired}. */
  public static final String FACTS = "engram.memory.facts";

  /** Distillation batches recorded as failed after their extraction stayed malformed. */
  public static final String FAILED_BATCHES = "engram.memory.distillation.failed.batches";

  private final MeterRegistry registry;
  private final Counter failedBatches;

  public MemoryMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.failedBatches =
        Counter.builder(FAILED_BATCHES)
            .description("Distillation batches recorded as failed, with no fact stored")
            .baseUnit("batches")
            .register(registry);
  }

  void facts(String event, long count) {
    if (count > 0) {
      Counter.builder(FACTS)
          .description("Memory facts by lifecycle event")
          .baseUnit("facts")
          .tag("event", event)
          .register(registry)
          .increment(count);
    }
  }

  void failedBatch() {
    failedBatches.increment();
  }
}
