package io.engram.api.evaluation;

import io.engram.workflows.evaluation.EvaluationRequest;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/** Request and response bodies of {@code /v1/evaluations}. */
final class EvaluationDtos {
  private EvaluationDtos() {}

  /**
   * An evaluation of the judged queries of a BEIR split. {@code queriesBlob} and {@code qrelsBlob}
   * are the SHA-256 hashes of {@code queries.jsonl} and {@code qrels/<split>.tsv}, uploaded first
   * with {@code PUT /v1/blobs/{sha256}}.
   *
   * @param dataset name of the dataset, for the record
   * @param split test (default), train or dev
   * @param part all (default), fit or held-out
   * @param collection collection holding the corpus (default: the dataset's name)
   * @param model index version to evaluate (default: the champion)
   * @param limit evaluate only the first N selected queries
   * @param answers also answer this many of the evaluated queries with the worker's LLM and report
   *     the advisory answer-level metrics (default 0: none)
   */
  @Serdeable
  record Create(
      @NotBlank @Size(max = 200) String dataset,
      @Nullable @Size(max = 32) String split,
      @Nullable @Size(max = 32) String part,
      @Nullable @Size(max = 63) String collection,
      @Nullable @Size(max = 200) String model,
      @NotBlank @Size(max = 64) String queriesBlob,
      @NotBlank @Size(max = 64) String qrelsBlob,
      @Nullable @Min(1) @Max(10_000_000) Integer limit,
      @Nullable @Min(0) @Max(EvaluationRequest.MAX_ANSWERS) Integer answers) {}

  @Serdeable
  record Started(String workflowId, String runId) {}

  /**
   * An evaluation's state: while it runs, progress and running means from the workflow's query;
   * once it has completed, the stored {@code eval_runs} row (with the latency percentiles).
   *
   * @param answers the advisory answer tier, apart from the retrieval metrics; null when no answers
   *     were asked for
   */
  @Serdeable
  record Status(
      String workflowId,
      String runId,
      String status,
      String phase,
      @Nullable Long evalRunId,
      @Nullable String dataset,
      @Nullable String split,
      @Nullable String part,
      @Nullable String collection,
      @Nullable String modelVersion,
      int total,
      int done,
      @Nullable Double ndcgAt10,
      @Nullable Double mrrAt10,
      @Nullable Double recallAt10,
      @Nullable Double recallAt100,
      @Nullable Double p50Ms,
      @Nullable Double p95Ms,
      @Nullable String startedAt,
      @Nullable String finishedAt,
      @Nullable String failure,
      @Nullable Answers answers) {}

  /**
   * The advisory answer-level tier: heuristics computed without a judge LLM over a deterministic
   * sample of the evaluated queries, never a gate. The means are null until the run completes (and
   * stay null when no answer was generated).
   *
   * @param model the model that writes the answers
   * @param sample sampled queries (0 until the sample is drawn)
   * @param done sampled queries answered or fallen back so far
   * @param generated answered by the LLM
   * @param fallback not answered (LLM unavailable, timed out, empty): counted, not scored
   * @param faithfulness mean share of an answer's claims supported by the passages they cite
   * @param answerRelevancy mean cosine of question and answer embeddings
   * @param contextRecall mean share of relevant documents among the passages given to the LLM
   * @param generationP50Ms median time to generate an answer
   */
  @Serdeable
  record Answers(
      @Nullable String model,
      int sample,
      int done,
      int generated,
      int fallback,
      @Nullable Double faithfulness,
      @Nullable Double answerRelevancy,
      @Nullable Double contextRecall,
      @Nullable Double generationP50Ms) {}
}
