package io.engram.workflows.evaluation;

/**
 * What one answer batch's range of the sample holds once it ran, for the workflow's progress.
 *
 * @param done sampled queries answered or fallen back
 * @param generated of those, answered by the LLM (the rest fell back)
 */
public record AnswerScores(int done, int generated) {}
