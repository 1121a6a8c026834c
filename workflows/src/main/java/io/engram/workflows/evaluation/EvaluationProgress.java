package io.engram.workflows.evaluation;

/**
 * Progress of an evaluation run, served by the workflow's query.
 *
 * @param phase preparing, evaluating, answering, summarizing, done or failed
 * @param evalRunId the {@code eval_runs} id, 0 while preparing
 * @param modelVersion the index version searched, null while preparing
 * @param total queries to evaluate
 * @param done queries evaluated so far
 * @param ndcgAt10 mean NDCG@10 of the evaluated queries (likewise the other metrics)
 * @param result the final summary once done, else null
 * @param answerModel the model answering for the advisory tier, null when no answers were asked for
 * @param answersTotal sampled queries to answer, 0 until the sample is drawn
 * @param answersDone sampled queries answered or fallen back so far
 * @param answersFallback of those, the ones the LLM did not answer (unavailable, timed out)
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
    EvaluationSummary result,
    String answerModel,
    int answersTotal,
    int answersDone,
    int answersFallback) {}
