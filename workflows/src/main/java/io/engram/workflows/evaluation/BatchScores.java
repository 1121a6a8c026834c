package io.engram.workflows.evaluation;

/**
 * Sums of the per-query metrics over the evaluated queries of one batch's range; the workflow
 * divides running totals by {@code queries} for its progress.
 */
public record BatchScores(
    int queries, double ndcgAt10, double mrrAt10, double recallAt10, double recallAt100) {}
