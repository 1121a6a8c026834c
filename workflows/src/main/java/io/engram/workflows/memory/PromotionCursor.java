package io.engram.workflows.memory;

import io.engram.contract.Memory.PromotionOutcome;

/**
 * Where a promotion run continues after continue-as-new: the key its batches are recorded under,
 * the next batch number, the last fact id seen, the start time all batches use, and the result so
 * far.
 */
public record PromotionCursor(
    String runKey, int nextBatch, long afterId, long startedAtMillis, PromotionOutcome soFar) {}
