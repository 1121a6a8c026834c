package io.engram.workflows.evaluation;

/**
 * The advisory answer tier of a completed run, as stored in {@code eval_runs}: heuristics computed
 * without a judge LLM, reported beside the retrieval metrics and never a gate.
 *
 * @param model the model that wrote the answers, e.g. {@code openai:gemma-3-270m}
 * @param sample queries sampled for answers
 * @param generated answered by the LLM
 * @param fallback not answered (LLM unavailable, timed out, empty reply): counted, not scored
 * @param faithfulness mean share of an answer's claims supported by the passages they cite, over
 *     the generated answers that make a claim; null without any
 * @param relevancy mean cosine of question and answer embeddings; null without generated answers
 * @param contextRecall mean share of the relevant documents among the passages given to the
 *     generator, over the sampled queries
 * @param p50Ms median generation time of the generated answers; null without any
 */
public record AnswerSummary(
    String model,
    int sample,
    int generated,
    int fallback,
    Double faithfulness,
    Double relevancy,
    Double contextRecall,
    Double p50Ms) {}
