package io.engram.workflows.evaluation;

/**
 * Progress of an evaluation run, served by the workflow's query.
 *
 * @param phase preparing, evaluating, summarizing, done or failed
 * @param evalRunId the {@code eval_runs} id, 0 while preparing
 * @param modelVersion the index version searched, null while preparing
 * @param total queries to evaluate
 * @param done queries evaluated so far
 * @param ndcgAt10 mean NDCG@10 of the evaluated queries (likewise the other metrics)
 * @param result the final summary once done, else null
 */
public record EvaluationProgress(
    String phase,
    long evalRunId,
    String modelVersion,
    int total,
    int done,
    double ndcgAt10,
    double mrrAt10,
    double recallAt10,
    double recallAt100,
    EvaluationSummary result) {}
