package io.engram.workflows.memory;

import java.time.Duration;
import java.util.Objects;

/**
 * Input of a promotion run: the thresholds a fact must exceed to move from episodic to semantic
 * memory, the batch size, and whether this is a dry run that only reports what it would promote.
 *
 * @param resume where a run that continued as new picks up, or null for a fresh run
 */
public record PromotionRequest(
    boolean dryRun,
    double minSalience,
    int minCitations,
    Duration minAge,
    int batchSize,
    PromotionCursor resume) {

  public PromotionRequest {
    if (!(minSalience >= 0 && minSalience <= 1)) {
      throw new IllegalArgumentException("minSalience must be in [0, 1]");
    }
    if (minCitations < 0) {
      throw new IllegalArgumentException("minCitations must not be negative");
    }
    Objects.requireNonNull(minAge, "minAge");
    if (minAge.isNegative()) {
      throw new IllegalArgumentException("minAge must not be negative");
    }
    if (batchSize < 1 || batchSize > 10_000) {
      throw new IllegalArgumentException("batchSize must be in [1, 10000]");
    }
  }

  /** The documented defaults: salience > 0.8, citations > 5, age > 7 days, 100 per batch. */
  public static PromotionRequest defaults(boolean dryRun) {
    return new PromotionRequest(dryRun, 0.8, 5, Duration.ofDays(7), 100, null);
  }

  PromotionRequest resumingAt(PromotionCursor cursor) {
    return new PromotionRequest(dryRun, minSalience, minCitations, minAge, batchSize, cursor);
  }
}
