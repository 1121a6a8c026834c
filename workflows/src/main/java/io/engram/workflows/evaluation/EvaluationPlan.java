package io.engram.workflows.evaluation;

/**
 * A registered evaluation run: its {@code eval_runs} id, the index version it searches and how many
 * queries it has (numbered 0..queries-1, evaluated in batches by range).
 */
public record EvaluationPlan(long evalRunId, String indexVersion, int queries) {}
