package io.engram.workflows.evaluation;

/**
 * The result of an evaluation run, as stored in {@code eval_runs}: mean metrics over its queries
 * and nearest-rank latency percentiles of the retrieval calls.
 *
 * @param modelVersion the index version searched, plus the reranker if one was applied
 * @param part which part of the split was evaluated: all, fit or held-out
 * @param answers the advisory answer tier, null when no answers were asked for
 */
public record EvaluationSummary(
    long evalRunId,
    String dataset,
    String split,
    String part,
    String collection,
    String modelVersion,
    int queries,
    double ndcgAt10,
    double mrrAt10,
    double recallAt10,
    double recallAt100,
    double p50Ms,
    double p95Ms,
    AnswerSummary answers) {}
