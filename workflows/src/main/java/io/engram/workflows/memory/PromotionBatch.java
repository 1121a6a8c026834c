package io.engram.workflows.memory;

/**
 * One promotion batch to run: the facts with ids above {@code afterId} that pass the thresholds at
 * {@code nowMillis}, at most {@code batchSize}; recorded as {@code (runKey, batchNo)}.
 */
public record PromotionBatch(
    String runKey,
    int batchNo,
    long afterId,
    double minSalience,
    int minCitations,
    long minAgeMillis,
    int batchSize,
    long nowMillis,
    boolean dryRun) {}
