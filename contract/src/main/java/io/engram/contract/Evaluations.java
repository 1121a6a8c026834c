package io.engram.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.util.Arrays;
import java.util.Optional;

/** {@code /v1/evaluations}: measure retrieval on a BEIR split with the evaluation workflow. */
public final class Evaluations {
  /** The most queries one evaluation may answer with the LLM (a small model is slow). */
  public static final int MAX_ANSWERS = 1000;

  private Evaluations() {}

  /**
   * An evaluation of the judged queries of a BEIR split. {@code queriesBlob} and {@code qrelsBlob}
   * are the SHA-256 hashes of {@code queries.jsonl} and {@code qrels/<split>.tsv}, uploaded first
   * with {@code PUT /v1/blobs/{sha256}}.
   *
   * @param dataset name of the dataset, for the record
   * @param split the qrels split (default {@code test})
   * @param part the part of the split (default {@code all})
   * @param collection collection holding the corpus (default: the dataset's name)
   * @param model the model version to evaluate, serving or not: a registered version of the
   *     collection ({@code v3}, {@code 3} or {@code <collection>/v3}) or an index version's name
   *     (default: the collection's champion)
   * @param limit evaluate only the first N selected queries
   * @param answers also answer this many of the evaluated queries with the worker's LLM and report
   *     the advisory answer-level metrics (default 0: none)
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record EvaluationRequest(
      @NotBlank @Size(max = 200, message = SizeMessages.AT_MOST_CHARS) String dataset,
      Split split,
      Part part,
      @Size(max = 63, message = SizeMessages.AT_MOST_CHARS) String collection,
      @Size(max = 200, message = SizeMessages.AT_MOST_CHARS) String model,
      @NotBlank @Size(max = 64, message = SizeMessages.AT_MOST_CHARS) String queriesBlob,
      @NotBlank @Size(max = 64, message = SizeMessages.AT_MOST_CHARS) String qrelsBlob,
      @Min(1) @Max(10_000_000) Integer limit,
      @Min(0) @Max(MAX_ANSWERS) Integer answers) {}

  /** The qrels split of a BEIR folder. */
  public enum Split {
    @JsonProperty("test")
    TEST("test"),
    @JsonProperty("train")
    TRAIN("train"),
    @JsonProperty("dev")
    DEV("dev");

    private final String wireName;

    Split(String wireName) {
      this.wireName = wireName;
    }

    public String wireName() {
      return wireName;
    }

    /** The split written as {@code wireName}, if there is one. */
    public static Optional<Split> of(String wireName) {
      return Arrays.stream(values()).filter(v -> v.wireName.equals(wireName)).findFirst();
    }
  }

  /**
   * The part of a split: {@code held-out} is a fixed ~20 % of the query ids that nothing is fitted
   * on, {@code fit} the rest.
   */
  public enum Part {
    @JsonProperty("all")
    ALL("all"),
    @JsonProperty("fit")
    FIT("fit"),
    @JsonProperty("held-out")
    HELD_OUT("held-out");

    private final String wireName;

    Part(String wireName) {
      this.wireName = wireName;
    }

    public String wireName() {
      return wireName;
    }

    /** The part written as {@code wireName}, if there is one. */
    public static Optional<Part> of(String wireName) {
      return Arrays.stream(values()).filter(v -> v.wireName.equals(wireName)).findFirst();
    }
  }

  public record EvaluationStarted(String workflowId, String runId) {}

  /**
   * An evaluation's state: while it runs, progress and running means from the workflow's query;
   * once it has ended, the stored {@code eval_runs} row (with the latency percentiles). Metrics are
   * null until there is something to report.
   *
   * @param status the workflow's status: {@code RUNNING}, {@code COMPLETED}, {@code FAILED}, …
   * @param answers the advisory answer tier, apart from the retrieval metrics; null when no answers
   *     were asked for
   */
  public record EvaluationStatus(
      String workflowId,
      String runId,
      String status,
      String phase,
      Long evalRunId,
      String dataset,
      String split,
      String part,
      String collection,
      String modelVersion,
      int total,
      int done,
      Double ndcgAt10,
      Double mrrAt10,
      Double recallAt10,
      Double recallAt100,
      Double p50Ms,
      Double p95Ms,
      String startedAt,
      String finishedAt,
      String failure,
      AnswerMetrics answers) {}

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
  public record AnswerMetrics(
      String model,
      int sample,
      int done,
      int generated,
      int fallback,
      Double faithfulness,
      Double answerRelevancy,
      Double contextRecall,
      Double generationP50Ms) {}
}
